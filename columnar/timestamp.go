package columnar

// Timestamps in resource logs are naive local time with no zone,
// "YYYY-MM-DDTHH:MM:SS.ffffff". resreport keeps them naive: a timestamp is
// the number of microseconds from 1970-01-01T00:00:00 to the wall-clock
// reading, as if it were UTC, so no zone database is consulted and every
// bin boundary is a wall-clock boundary, as in the reference.

// ParseTimestamp parses "YYYY-MM-DDTHH:MM:SS" with an optional fraction of
// 1 to 9 digits (digits beyond the sixth are truncated) and 'T' or ' '
// between date and time. Anything after the time, such as a zone suffix
// ("Z", "+08:00"), makes it invalid. It does not allocate.
func ParseTimestamp(b []byte) (micros int64, ok bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') ||
		b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0, false
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	var frac int64
	if rest := b[19:]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return 0, false
		}
		scale := int64(100000)
		for i, c := range rest[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			if i < 6 {
				frac += int64(c-'0') * scale
				scale /= 10
			}
		}
	}
	days := daysFromCivil(year, month, day)
	secs := days*86400 + int64(hour)*3600 + int64(minute)*60 + int64(sec)
	return secs*1e6 + frac, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// FormatTimestamp formats micros as "YYYY-MM-DDTHH:MM:SS", followed by
// ".ffffff" when the fraction is not zero.
func FormatTimestamp(micros int64) string {
	return string(AppendTimestamp(nil, micros))
}

// AppendTimestamp appends the FormatTimestamp form of micros to dst.
func AppendTimestamp(dst []byte, micros int64) []byte {
	secs := FloorDiv(micros, 1e6)
	frac := micros - secs*1e6
	days := FloorDiv(secs, 86400)
	sod := secs - days*86400
	y, m, d := civilFromDays(days)
	dst = appendInt(dst, y, 4)
	dst = append(dst, '-')
	dst = appendInt(dst, m, 2)
	dst = append(dst, '-')
	dst = appendInt(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendInt(dst, int(sod/3600), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(sod/60%60), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(sod%60), 2)
	if frac != 0 {
		dst = append(dst, '.')
		dst = appendInt(dst, int(frac), 6)
	}
	return dst
}

func appendInt(dst []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || width > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	return append(dst, buf[i:]...)
}

// FloorDiv is a / b rounded toward negative infinity (days and bins of
// timestamps before 1970 included).
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
