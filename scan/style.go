package scan

import (
	"bytes"

	"github.com/resreport/resreport/columnar"
)

// Two line formats are in use. The emitter follows every metric group with
// " | " and drops the line's last character, so its lines end in " |";
// the reference script's docstring (and tools that follow it) separates
// the groups with " | " and puts nothing after the last one. A line of
// one format and a line of the other with one group fewer have the same
// number of '|', so the format cannot be told from a line alone: a line
// that lost its last two bytes would pass for a complete line of the
// other format. Each file (each byte range of a split file) therefore
// learns its format from its first lines, and a line of the other format
// is skipped as ReasonCut, unless the line before it had that format too:
// then the file changed format (a worker upgraded mid-file) and the
// parser follows, so a change costs one line, not the rest of the file.

// Style is the line format of a file.
type Style uint8

const (
	// Trailing lines end in " |": every group is followed by '|' (the
	// emitter's format).
	Trailing Style = iota
	// NoTrailing lines end in their last group (the reference script's
	// docstring format); an empty last group leaves a final '|'.
	NoTrailing
)

func (s Style) String() string { return [...]string{"trailing", "no-trailing"}[s] }

// lineClass is what a line's shape says about its file's style.
type lineClass uint8

const (
	classNone       lineClass = iota // complete in neither style (or not a line of fields)
	classTrailing                    // complete only as a Trailing line
	classNoTrailing                  // complete only as a NoTrailing line, and it does not end in '|'
	// classEmptyLast lines are complete only as NoTrailing lines whose last
	// group is empty, so they end in '|': or they are Trailing lines with a
	// group too few or too many (20 or 23), so they tell the style weakly.
	classEmptyLast
	// classBoth lines are complete in either style: a Trailing line of 21 or
	// 24 groups reads as a NoTrailing one of 22 or 25 whose last group is
	// empty, with the same values.
	classBoth
)

// shapes[n] tells, for a body (the part after the header) holding n '|',
// whether n groups (Trailing) and n+1 groups (NoTrailing) are known
// counts.
var shapes = func() (t [32]struct{ trailing, noTrailing bool }) {
	for n := range t {
		t[n].trailing = columnar.ValidGroupCount(n)
		t[n].noTrailing = columnar.ValidGroupCount(n + 1)
	}
	return t
}()

// classify returns the class of a body with pipes '|' whose last byte is
// '|' when endsPipe.
func classify(pipes int, endsPipe bool) lineClass {
	if pipes >= len(shapes) {
		return classNone
	}
	s := shapes[pipes]
	t := s.trailing && endsPipe
	switch {
	case t && s.noTrailing:
		return classBoth
	case t:
		return classTrailing
	case s.noTrailing && endsPipe:
		return classEmptyLast
	case s.noTrailing:
		return classNoTrailing
	}
	return classNone
}

// styleOf is the style of lines of class c (not classNone or classBoth).
func styleOf(c lineClass) Style {
	if c == classTrailing {
		return Trailing
	}
	return NoTrailing
}

// classifyLine returns the class of a whole line (without its '\n').
func classifyLine(line []byte) lineClass {
	line = trimSpace(bytes.TrimPrefix(line, bom))
	for i := 0; i < 7; i++ {
		j := bytes.IndexByte(line, '|')
		if j < 0 {
			return classNone
		}
		line = line[j+1:]
	}
	return classify(bytes.Count(line, pipe), len(line) > 0 && line[len(line)-1] == '|')
}

// StartFile resets the parser for the lines of a new file (or byte range)
// whose style is s.
func (p *Parser) StartFile(s Style) { p.style, p.prev = s, classNone }

// follow applies the style rule to a line of class c that comes after a
// line of class prev: the line is read in p.style (which it may switch),
// or skipped for the returned reason. A line of the other style is cut,
// but for a classEmptyLast line in a Trailing file: that has the trailing
// '|' and a group count of no known version, so it is of a bad shape, and
// it does not change the style.
func (p *Parser) follow(c lineClass, prev lineClass) Reason {
	p.prev = c
	switch c {
	case classNone:
		return ReasonBadShape
	case classBoth:
		return ReasonNone
	}
	if s := styleOf(c); s != p.style {
		switch {
		case c == classEmptyLast:
			return ReasonBadShape
		case prev != c:
			return ReasonCut
		}
		p.style = s // two lines in a row: the file changed format
	}
	return ReasonNone
}

const (
	styleVotes     = 8  // lines a file's style is learned from
	styleLookahead = 64 // lines looked at for them, at most
)

// learnStyle returns the style of the majority of the next styleVotes
// lines of lr that are complete in one style only and tell it by their end
// (classTrailing, classNoTrailing), among the next styleLookahead lines
// within the reader's buffer, without consuming them. Without such a line,
// the weak evidence decides: classBoth lines count for Trailing,
// classEmptyLast ones for NoTrailing. On a tie, or when no line tells,
// Trailing, the emitter's. The lines may lie past the end of a byte range:
// they are of the same file, so a range of a few lines still knows its
// file's style.
func learnStyle(lr *lineReader) Style {
	var votes [classBoth + 1]int
	seen := 0
	lr.peek(func(line []byte) bool {
		votes[classifyLine(line)]++
		seen++
		return votes[classTrailing]+votes[classNoTrailing] < styleVotes && seen < styleLookahead
	})
	t, n := votes[classTrailing], votes[classNoTrailing]
	if t+n == 0 {
		t, n = votes[classBoth], votes[classEmptyLast]
	}
	if n > t {
		return NoTrailing
	}
	return Trailing
}
