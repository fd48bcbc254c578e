package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// This file is --output table: awscli/formatter.py's TableFormatter, which turns a value into
// sections (a title, column headers, rows; nested objects and lists become indented sections
// of their own), and awscli/table.py's MultiTable, which draws them, ported line by line so
// that the output is the same to the byte: widths are counted as Python's
// unicodedata.east_asian_width counts them, columns are scaled with Python's rounding, and a
// table wider than the terminal (80 columns when stdout is not one) has its one-row sections
// turned vertical.

// tableStyle is the table's colouring: plain, or the AWS CLI's on a terminal (colorama's
// bright blue values and dim yellow indentation bars, and the reset colorama's autoreset
// writes after every write).
type tableStyle struct {
	color bool
	safe  func(string) string // applied to every title, header and cell (terminal safety)
}

const (
	ansiReset = "\x1b[0m"
	ansiValue = "\x1b[1m\x1b[34m" // colorama's Style.BRIGHT + Fore.BLUE
	ansiBar   = "\x1b[2m\x1b[33m" // Style.DIM + Fore.YELLOW
)

// tableSection is table.py's Section. A nil title is Python's None (a list nested in a list),
// which counts 4 characters ("None") in the width but is not drawn.
type tableSection struct {
	title     *string
	headers   []string
	rows      [][]string
	indent    int
	numCols   int // -1: not set
	maxWidths []int
}

func newTableSection(title *string, indent int) *tableSection {
	return &tableSection{title: title, indent: indent, numCols: -1}
}

func (s *tableSection) titleLength() int {
	if s.title == nil {
		return 4 // len(str(None))
	}
	return textWidth(*s.title)
}

func (s *tableSection) addHeader(headers []string) error {
	if err := s.updateMaxWidths(headers); err != nil {
		return err
	}
	if s.numCols < 0 {
		s.numCols = len(headers)
	}
	s.headers = headers
	return nil
}

func (s *tableSection) addRow(row []string) error {
	if s.numCols < 0 {
		s.numCols = len(row)
	}
	if len(row) != s.numCols {
		return &formatError{"table", fmt.Sprintf("Row should have %d elements, instead it has %d", s.numCols, len(row))}
	}
	s.rows = append(s.rows, row)
	return s.updateMaxWidths(row)
}

func (s *tableSection) updateMaxWidths(row []string) error {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(row))
		for i, el := range row {
			s.maxWidths[i] = textWidth(el)
		}
		return nil
	}
	if len(row) > len(s.maxWidths) {
		return &formatError{"table", "list index out of range"} // Python's IndexError
	}
	for i, el := range row {
		s.maxWidths[i] = max(s.maxWidths[i], textWidth(el))
	}
	return nil
}

// columnWidths is Section.calculate_column_widths(padding, max_width); maxWidth < 0 is None.
func (s *tableSection) columnWidths(padding, maxWidth int) []int {
	unscaled := make([]int, len(s.maxWidths))
	total := 0
	for i, w := range s.maxWidths {
		unscaled[i] = w + padding
		total += unscaled[i]
	}
	if maxWidth < 0 || len(unscaled) == 0 {
		return unscaled
	}
	scale := float64(maxWidth) / float64(total)
	scaled := make([]int, len(unscaled))
	sum := 0
	for i, w := range unscaled {
		scaled[i] = int(math.RoundToEven(scale * float64(w))) // Python's round()
		sum += scaled[i]
	}
	for off := sum - maxWidth; off != 0; {
		for j := range scaled {
			i := j
			if off < 0 {
				i = len(scaled) - 1 - j
			}
			if off > 0 {
				scaled[i]--
				off--
			} else {
				scaled[i]++
				off++
			}
			if off == 0 {
				break
			}
		}
	}
	return scaled
}

// totalWidth is Section.total_width(padding=4, with_border=True, outer_padding=indent).
func (s *tableSection) totalWidth() int {
	total := 0
	for _, w := range s.columnWidths(0, -1) {
		total += w + 4
	}
	total += 2 + 2*s.indent
	return max(s.titleLength()+2+2*s.indent, total)
}

// tableBuilder is formatter.py's TableFormatter building a MultiTable.
type tableBuilder struct {
	sections []*tableSection
	cur      *tableSection
	safe     func(string) string
}

func (t *tableBuilder) newSection(title *string, indent int) {
	t.cur = newTableSection(title, indent)
	t.sections = append(t.sections, t.cur)
}

func (t *tableBuilder) cell(v any) string { return t.safe(pyStr(v)) }

// pyTruthy is Python's bool() of a value.
func pyTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case pyNum:
		return v.digits != "" || v.f != 0
	case []any:
		return len(v) > 0
	case *pyObject:
		return len(v.keys) > 0
	}
	return true
}

// build is _build_table.
func (t *tableBuilder) build(title *string, current any, indent int) (bool, error) {
	if !pyTruthy(current) {
		return false, nil
	}
	if title != nil {
		t.newSection(title, indent)
	}
	switch cur := current.(type) {
	case []any:
		if _, ok := cur[0].(*pyObject); ok {
			if err := t.subTableFromList(cur, indent, title); err != nil {
				return false, err
			}
			break
		}
		for _, item := range cur {
			switch it := item.(type) {
			case []any:
				allScalar := true
				for _, el := range it {
					allScalar = allScalar && isScalar(el)
				}
				if allScalar {
					row := make([]string, len(it))
					for i, el := range it {
						row[i] = t.cell(el)
					}
					if err := t.cur.addRow(row); err != nil {
						return false, err
					}
				} else if _, err := t.build(nil, it, 0); err != nil {
					return false, err
				}
			case *pyObject: // iterating a dict gives its keys: all scalars
				row := make([]string, len(it.keys))
				for i, k := range it.keys {
					row[i] = t.safe(k)
				}
				if err := t.cur.addRow(row); err != nil {
					return false, err
				}
			default:
				if err := t.cur.addRow([]string{t.cell(it)}); err != nil {
					return false, err
				}
			}
		}
	case *pyObject:
		if err := t.subTableFromDict(cur, indent); err != nil {
			return false, err
		}
	}
	return true, nil
}

// scalarKeys is _group_scalar_keys: the keys whose values are scalars, and the others, sorted.
func scalarKeys(o *pyObject) (headers, more []string) {
	for _, k := range o.keys {
		if isScalar(o.vals[k]) {
			headers = append(headers, k)
		} else {
			more = append(more, k)
		}
	}
	slices.Sort(headers)
	slices.Sort(more)
	return headers, more
}

func (t *tableBuilder) subTableFromDict(cur *pyObject, indent int) error {
	headers, more := scalarKeys(cur)
	switch {
	case len(headers) == 1:
		if err := t.cur.addRow([]string{t.safe(headers[0]), t.cell(cur.vals[headers[0]])}); err != nil {
			return err
		}
	case len(headers) > 1:
		if err := t.cur.addHeader(t.safeAll(headers)); err != nil {
			return err
		}
		row := make([]string, len(headers))
		for i, k := range headers {
			row[i] = t.cell(cur.vals[k])
		}
		if err := t.cur.addRow(row); err != nil {
			return err
		}
	}
	for _, k := range more {
		if _, err := t.build(&k, cur.vals[k], indent+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *tableBuilder) safeAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = t.safe(x)
	}
	return out
}

func (t *tableBuilder) subTableFromList(cur []any, indent int, title *string) error {
	// _group_scalar_keys_from_list: every element must be an object.
	headerSet, moreSet := map[string]bool{}, map[string]bool{}
	for _, el := range cur {
		o, ok := el.(*pyObject)
		if !ok {
			return &formatError{"table", fmt.Sprintf("a list mixes objects with %s", pyTypeName(el))}
		}
		h, m := scalarKeys(o)
		for _, k := range h {
			headerSet[k] = true
		}
		for _, k := range m {
			moreSet[k] = true
		}
	}
	headers := slices.Sorted(maps.Keys(headerSet))
	more := slices.Sorted(maps.Keys(moreSet))
	if err := t.cur.addHeader(t.safeAll(headers)); err != nil {
		return err
	}
	for i, el := range cur {
		o := el.(*pyObject)
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			if err := t.cur.addHeader(t.safeAll(headers)); err != nil {
				return err
			}
		}
		row := make([]string, len(headers))
		for j, h := range headers {
			v, ok := o.vals[h]
			if !ok {
				v = ""
			}
			row[j] = t.cell(v)
		}
		if err := t.cur.addRow(row); err != nil {
			return err
		}
		for _, k := range more {
			if v, ok := o.vals[k]; ok {
				if _, err := t.build(&k, v, indent+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// formatTable prints v as --output table does, titled with the operation's name; termWidth
// is the terminal's width (80 when stdout is not a terminal). Nothing is printed for a value
// that Python finds false (an empty answer, list or string, 0, None).
func formatTable(title string, v any, termWidth int, style tableStyle) ([]byte, error) {
	if style.safe == nil {
		style.safe = func(s string) string { return s }
	}
	t := &tableBuilder{safe: style.safe}
	title = style.safe(title)
	ok, err := t.build(&title, v, 0)
	if err != nil || !ok {
		return nil, err
	}
	r := &tableRenderer{style: style}
	r.render(t.sections, termWidth)
	return []byte(r.b.String()), nil
}

// tableRenderer is MultiTable.render.
type tableRenderer struct {
	b     strings.Builder
	style tableStyle
}

// write is one write to stdout; colorama's autoreset follows each with a reset.
func (r *tableRenderer) write(s string) {
	r.b.WriteString(s)
	if r.style.color {
		r.b.WriteString(ansiReset)
	}
}

// writeIndented is IndentedStream.write.
func (r *tableRenderer) writeIndented(indent int, s string) {
	bar := "|"
	if r.style.color {
		bar = ansiBar + "|" + ansiReset
	}
	bars := strings.Repeat(bar, indent)
	r.write(bars)
	if text, ok := strings.CutSuffix(s, "\n"); ok {
		r.write(text)
		r.write(bars)
		r.write("\n")
	} else {
		r.write(s)
	}
}

func (r *tableRenderer) render(sections []*tableSection, termWidth int) {
	maxWidth := maxTableWidth(sections)
	if maxWidth > termWidth {
		// convert_to_vertical_table: a section of one row shows it as header/value rows.
		for i, s := range sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				n := newTableSection(s.title, s.indent)
				for j := range min(len(s.headers), len(s.rows[0])) {
					_ = n.addRow([]string{s.headers[j], s.rows[0][j]}) // two columns: cannot fail
				}
				sections[i] = n
			}
		}
		maxWidth = maxTableWidth(sections)
	}
	r.write(strings.Repeat("-", maxWidth) + "\n")
	for _, s := range sections {
		r.section(s, maxWidth-2*s.indent)
	}
}

func maxTableWidth(sections []*tableSection) int {
	w := 0
	for _, s := range sections {
		w = max(w, s.totalWidth())
	}
	return w
}

func (r *tableRenderer) section(s *tableSection, maxWidth int) {
	// The title.
	if s.title != nil && *s.title != "" {
		r.writeIndented(s.indent, centerText(*s.title, maxWidth, "|", "|", textWidth(*s.title))+"\n")
		if len(s.headers) == 0 && len(s.rows) == 0 {
			r.writeIndented(s.indent, "+"+strings.Repeat("-", max(maxWidth-2, 0))+"+\n")
		}
	}
	// The column titles.
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, maxWidth)
		var cur strings.Builder
		for i := range min(len(widths), len(s.headers)) {
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(s.headers[i], widths[i], left, "|", textWidth(s.headers[i])))
		}
		r.lineBreak(s.indent, widths)
		r.writeIndented(s.indent, cur.String()+"\n")
	}
	// The rows.
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, maxWidth)
	if len(widths) == 0 {
		return
	}
	r.lineBreak(s.indent, widths)
	for _, row := range s.rows {
		var cur strings.Builder
		for i := range min(len(widths), len(row)) {
			left := ""
			if i == 0 {
				left = "|"
			}
			text := row[i]
			if r.style.color {
				text = ansiValue + text + ansiReset
			}
			cur.WriteString(alignLeft(text, widths[i], left, "|", textWidth(row[i])))
		}
		r.writeIndented(s.indent, cur.String()+"\n")
	}
	r.lineBreak(s.indent, widths)
}

// lineBreak writes +-------+---------+.
func (r *tableRenderer) lineBreak(indent int, widths []int) {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + strings.Repeat("-", max(w-2, 0)) + "+")
		} else {
			b.WriteString(strings.Repeat("-", max(w-1, 0)) + "+")
		}
	}
	b.WriteString("\n")
	r.writeIndented(indent, b.String())
}

// centerText is table.py's center_text (edges are ASCII).
func centerText(text string, length int, left, right string, textLength int) string {
	start := floorDiv(length, 2) - floorDiv(textLength, 2) - 1
	soFar := len(left) + start + textLength // with start itself, even when < 0, as Python
	return left + strings.Repeat(" ", max(start, 0)) + text + strings.Repeat(" ", max(length-len(right)-soFar, 0)) + right
}

// alignLeft is table.py's align_left with left_padding=2 (edges are ASCII).
func alignLeft(text string, length int, left, right string, textLength int) string {
	padding := 2
	if length-(textLength+2+len(left)+len(right)) < 0 {
		padding = 0
	}
	soFar := len(left) + padding + textLength
	return left + strings.Repeat(" ", padding) + text + strings.Repeat(" ", max(length-soFar-len(right), 0)) + right
}

// floorDiv is Python's // on integers.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// textWidth is table.py's get_text_length: characters of East Asian width W, F or A count 2.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if isWide(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// isWide reports whether r is wide (W), full-width (F) or ambiguous (A) for Python's
// unicodedata.east_asian_width (eastasian_gen.go).
func isWide(r rune) bool {
	if r < 0xa1 {
		return false
	}
	_, found := slices.BinarySearchFunc(wideRanges, r, func(rg [2]rune, r rune) int {
		switch {
		case rg[1] < r:
			return -1
		case rg[0] > r:
			return 1
		}
		return 0
	})
	return found
}
