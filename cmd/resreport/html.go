package main

import (
	"io"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/htmlreport"
)

// writeHTML writes the report atomically and opens it with --open.
func writeHTML(c *cli.Context, o *outcome, findings []agg.Finding, out string) error {
	in := &htmlreport.Input{
		Title: reportTitle(c.String("prefix")), Since: c.String("since"), Until: c.String("until"),
		Result: o.Result, Summary: o.Summary, Findings: findings,
	}
	if err := columnar.WriteFileAtomic(out, func(w io.Writer) error { return htmlreport.Write(w, in) }); err != nil {
		return err
	}
	o.log.Info("wrote report", zap.String("path", out))
	if c.Bool("open") {
		if err := htmlreport.Open(out); err != nil {
			o.log.Warn("could not open the report", zap.Error(err))
		}
	}
	return nil
}
