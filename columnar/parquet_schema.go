package columnar

import (
	"reflect"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// orderedGroup is a Parquet group node whose fields keep the order they
// were given in. parquet.Group is a map and sorts its fields by name, which
// would scatter the metric columns out of catalogue order.
type orderedGroup struct {
	parquet.Group // node and field lookups by name
	fields        []parquet.Field
}

// newOrderedGroup builds a group with the named nodes in the given order.
func newOrderedGroup(names []string, nodes []parquet.Node) *orderedGroup {
	g := &orderedGroup{Group: make(parquet.Group, len(names))}
	for i, name := range names {
		g.Group[name] = nodes[i]
		g.fields = append(g.fields, &orderedField{Node: nodes[i], name: name})
	}
	return g
}

// Fields returns the group's fields in their given order.
func (g *orderedGroup) Fields() []parquet.Field { return g.fields }

// orderedField is one named field of an orderedGroup.
type orderedField struct {
	parquet.Node
	name string
}

func (f *orderedField) Name() string { return f.name }

// Value is not used: the writers in this package write columns, never Go
// values through reflection.
func (f *orderedField) Value(base reflect.Value) reflect.Value { return reflect.Value{} }

// schemaBuilder accumulates the columns of a Parquet schema in order.
type schemaBuilder struct {
	names []string
	nodes []parquet.Node
}

func (s *schemaBuilder) add(name string, node parquet.Node) {
	s.names = append(s.names, name)
	s.nodes = append(s.nodes, node)
}

func (s *schemaBuilder) schema(name string) *parquet.Schema {
	return parquet.NewSchema(name, newOrderedGroup(slices.Clone(s.names), slices.Clone(s.nodes)))
}

// encoded applies enc to a leaf node unless enc is nil (the column type's
// default, PLAIN).
func encoded(node parquet.Node, enc encoding.Encoding) parquet.Node {
	if enc == nil {
		return node
	}
	return parquet.Encoded(node, enc)
}

// timestampNode is TIMESTAMP(MICROS, isAdjustedToUTC=false): naive local
// time, which pqarrow reads as timestamp[us] with no time zone.
func timestampNode() parquet.Node {
	return parquet.TimestampAdjusted(parquet.Microsecond, false)
}

// dictString is a dictionary-encoded utf8 column.
func dictString() parquet.Node { return parquet.Encoded(parquet.String(), &parquet.RLEDictionary) }

// samplesEncodings chooses the value encodings of the samples file. They
// change only the file's size and the writer's speed, never what a reader
// gets back. RLEDictionary on a numeric column means a dictionary per row
// group while it stays small, then DELTA_BINARY_PACKED (Int) or PLAIN
// (Float) pages (see columnChunk).
type samplesEncodings struct {
	Int     encoding.Encoding // pid, tid and integer metrics
	Float   encoding.Encoding // float metrics
	TS      encoding.Encoding
	Strings encoding.Encoding // level, pod, trace_id, cluster
}

// defaultSamplesEncodings are the encodings measured best by
// BenchmarkSamplesWriterVariants: integers, mostly constant or slowly
// moving, delta-encode to a few bits; floats are %.3f ratios of few
// distinct values, which a dictionary turns into short runs of small
// indexes that zstd no longer has to search for in 8 bytes per value.
func defaultSamplesEncodings() samplesEncodings {
	return samplesEncodings{
		Int:     &parquet.DeltaBinaryPacked,
		Float:   &parquet.RLEDictionary,
		TS:      &parquet.DeltaBinaryPacked,
		Strings: &parquet.RLEDictionary,
	}
}

// samplesSchema returns the Parquet schema of samples.parquet, column for
// column the same as ArrowSchema (without host when withHost is false):
// host (dictionary-encoded string), ts
// (TIMESTAMP(MICROS, local)), level, pod, trace_id, cluster (strings), pid,
// tid (optional int64), then one optional int64 or double per metric.
func samplesSchema(enc samplesEncodings, withHost bool) *parquet.Schema {
	var s schemaBuilder
	str := func() parquet.Node { return encoded(parquet.String(), enc.Strings) }
	optInt := func() parquet.Node { return parquet.Optional(encoded(parquet.Leaf(parquet.Int64Type), enc.Int)) }
	optFloat := func() parquet.Node { return parquet.Optional(encoded(parquet.Leaf(parquet.DoubleType), enc.Float)) }
	if withHost {
		s.add(ColHost, dictString())
	}
	s.add(ColTS, encoded(timestampNode(), enc.TS))
	s.add(ColLevel, str())
	s.add(ColSource, str())
	s.add(ColPod, str())
	s.add(ColTraceID, str())
	s.add(ColCluster, str())
	s.add(ColPID, optInt())
	s.add(ColTID, optInt())
	for _, m := range Metrics {
		if m.Kind == Int {
			s.add(m.Name, optInt())
		} else {
			s.add(m.Name, optFloat())
		}
	}
	return s.schema("samples")
}
