package htmlreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/resreport/resreport/columnar"
)

func TestFormat(t *testing.T) {
	nan := math.NaN()
	cases := []struct{ got, want string }{
		{fmtBytes(0), "0 B"},
		{fmtBytes(1023), "1023.00 B"},
		{fmtBytes(32212254720), "30.00 GB"},
		{fmtBytes(1.5 * (1 << 40)), "1.50 TB"},
		{fmtBytes(nan), "N/A"},
		{fmtBytes(math.Inf(1)), "N/A"},
		{fmtPct(0.3), "30.0%"},
		{fmtPct2(0.99214), "99.21%"},
		{fmtPct(nan), "N/A"},
		{fmtCount(183422.5), "183,423"},
		{fmtCount(999), "999"},
		{fmtCount(-1234567), "-1,234,567"},
		{fmtCount(-0.2), "0"},
		{fmtCount(1000), "1,000"},
		{fmtFixed1(0.25), "0.2"},
		{fmtInt(1234567890), "1,234,567,890"},
		{intervalText(60_000_000), "1 min"},
		{intervalText(600_000_000), "10 min"},
		{intervalText(3_600_000_000), "1 h"},
		{intervalText(86_400_000_000), "1 day"},
		{intervalText(2 * 86_400_000_000), "2 days"},
		{intervalText(30_000_000), "30 s"},
		{intervalText(90_000_000), "90 s"},
		{intervalText(500_000), "500 ms"},
		{intervalText(1500), "1500 µs"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: %q, want %q", i, c.got, c.want)
		}
	}
	ts, _ := columnar.ParseTimestamp([]byte("2026-05-06T22:30:05.123456"))
	for _, c := range []struct {
		interval int64
		year     bool
		want     string
	}{
		{60_000_000, false, "05-06 22:30"},
		{10_000_000, false, "05-06 22:30:05"},
		{100_000, false, "05-06 22:30:05.123"},
		{3_600_000_000, true, "2026-05-06 22:30"},
	} {
		if got := binLabel(ts, c.interval, c.year); got != c.want {
			t.Errorf("binLabel(%d, %v) = %q, want %q", c.interval, c.year, got, c.want)
		}
	}
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{
		{nan, 4, "null"}, {math.Inf(-1), 4, "null"}, {0, 4, "0"}, {12, 4, "12"}, {-7, 4, "-7"},
		{183422, 4, "183400"}, {0.031234, 4, "0.03123"}, {29.98765, 4, "29.99"}, {32212254720, 6, "32212300000"},
		{1e25, 4, "1e+25"}, {1.23456e-9, 4, "1.235e-09"}, {99.21456, 6, "99.2146"},
	} {
		if got := string(appendRound(nil, c.v, c.d)); got != c.want {
			t.Errorf("appendRound(%v, %d) = %s, want %s", c.v, c.d, got, c.want)
		}
	}
}

func TestNextBin(t *testing.T) {
	day, _ := columnar.ParseTimestamp([]byte("2026-05-06T00:00:00"))
	h := int64(3_600_000_000)
	// 7 h bins restart at midnight: 00, 07, 14, 21, then the next day.
	s := day
	var got []string
	for i := 0; i < 5; i++ {
		got = append(got, columnar.FormatTimestamp(s)[11:16])
		s = nextBin(s, 7*h)
	}
	if want := "00:00 07:00 14:00 21:00 00:00"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

// TestJSONStream checks the streamed document against the encoding
// json.Marshal gives: separators, escaping, null for NaN and ±Inf.
func TestJSONStream(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	e := &jsonStream{w: bw}
	e.open('{')
	e.field("a", []string{"x</script>", "h&2", "<!--"})
	e.key("n")
	e.numbers([]float64{1.5, math.NaN(), math.Inf(1), math.Inf(-1), 0.1234567, 2e30}, 6)
	e.key("i")
	e.ints([]int64{3, -4})
	e.key("o")
	e.open('{')
	e.field("k", 1)
	e.key("e")
	e.open('[')
	e.close(']')
	e.close('}')
	e.key("l")
	e.open('[')
	e.elem()
	e.open('{')
	e.close('}')
	e.elem()
	e.value("s")
	e.close(']')
	e.close('}')
	if err := bw.Flush(); err != nil || e.err != nil {
		t.Fatal(err, e.err)
	}
	want, err := json.Marshal(map[string]any{
		"a": []string{"x</script>", "h&2", "<!--"}, "n": []any{1.5, nil, nil, nil, 0.123457, 2e30}, "i": []int{3, -4},
		"o": map[string]any{"k": 1, "e": []int{}}, "l": []any{map[string]any{}, "s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got, exp any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.Bytes())
	}
	json.Unmarshal(want, &exp) //nolint:errcheck // made by json.Marshal
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("stream:\n got %s\nwant %s", buf.Bytes(), want)
	}
	if s := buf.String(); strings.Contains(s, "<") || strings.Contains(s, "&") {
		t.Errorf("markup characters in %s", s)
	}
}

// TestAppendRoundFast compares the scaled rounding with strconv's on
// random values of every magnitude it takes; only decimal ties may differ
// (strconv rounds the binary value, a hair off the tie).
func TestAppendRoundFast(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		v := (r.Float64() + 0.1) * math.Pow10(r.IntN(19)-4)
		if r.IntN(2) == 0 {
			v = -v
		}
		if r.IntN(4) == 0 {
			v = math.Round(v*1000) / 1000 // values printed with %.3f
		}
		for _, d := range []int{4, clusterDigits, codeDigits} {
			fast, ok := appendRoundFast(nil, v, d)
			if !ok {
				continue
			}
			slow := appendRoundSlow(nil, v, d)
			if string(fast) == string(slow) {
				continue
			}
			// v must be a tie in decimal: digits+1 significant digits, the
			// last a 5 (the binary value is a hair off it).
			e := int(math.Floor(math.Log10(math.Abs(v))))
			scaled := math.Abs(v) * math.Pow10(d-1-e)
			if frac := scaled - math.Floor(scaled); math.Abs(frac-0.5) > 1e-6 {
				t.Fatalf("appendRound(%v, %d): fast %s, strconv %s", v, d, fast, slow)
			}
		}
	}
}

// TestBinAxisSpan checks that a finding's time range maps to the points of
// an axis of whole bins and of one reduced to columns of 4 bins.
func TestBinAxisSpan(t *testing.T) {
	const iv = 60e6 // 1 min
	day := int64(20580) * usPerDay
	for _, c := range []struct {
		shift          uint
		start, end     int64 // minutes after midnight
		fromCol, toCol int   // columns of the axis
	}{
		{0, 10, 13, 10, 12}, // bins 10..12
		{0, -5, 3, 0, 2},    // clamped to the axis
		{2, 10, 13, 2, 3},   // bins 8..15: columns 2 and 3
	} {
		a := binAxis{interval: iv, shift: c.shift, n0: binNumber(day, iv), n1: binNumber(day+99*iv, iv)}
		from, to := a.span(day+c.start*iv, day+c.end*iv)
		k := a.slots()
		if from != c.fromCol*k || to != (c.toCol+1)*k-1 {
			t.Errorf("shift %d: span(%d, %d min) = %d..%d, want %d..%d", c.shift, c.start, c.end, from, to, c.fromCol*k, (c.toCol+1)*k-1)
		}
	}
}
