package localserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// evKey is an event position: timestamp, chunk id (ingestion order) and index in the chunk.
// Keys order events as the service does. A key also names a cut between events: reading
// forward from cut k returns events with key >= k; backward, events with key < k.
type evKey struct {
	ts  int64
	cid int64
	idx int64
}

func (a evKey) less(b evKey) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if a.cid != b.cid {
		return a.cid < b.cid
	}
	return a.idx < b.idx
}

// succ is the cut just after event k.
func (k evKey) succ() evKey { return evKey{k.ts, k.cid, k.idx + 1} }

// timeCut is the cut before every event at or after ts (chunk ids start at 1).
func timeCut(ts int64) evKey { return evKey{clampTs(ts), 0, 0} }

// maxTokenTs bounds the timestamps tokens carry (16 digits, beyond year 300,000); larger
// times are clamped, which is exact because stored events are never that far in the future.
const maxTokenTs = 9_999_999_999_999_999

func clampTs(ts int64) int64 {
	if ts < 0 {
		return 0
	}
	if ts > maxTokenTs {
		return maxTokenTs
	}
	return ts
}

// GetLogEvents tokens have the service's shape: "f/" or "b/", 56 digits, "/s". The digits
// are timestamp (16), chunk id (19), index (5), the stream's id modulo 10^12 (12) and a
// 4-digit checksum, so a malformed, altered or other stream's token is refused.
func encodeGetToken(forward bool, k evKey, streamID int64) string {
	dir := byte('b')
	if forward {
		dir = 'f'
	}
	digits := fmt.Sprintf("%016d%019d%05d%012d", clampTs(k.ts), k.cid, k.idx, streamID%1_000_000_000_000)
	return fmt.Sprintf("%c/%s%04d/s", dir, digits, tokenCheck(dir, digits))
}

func tokenCheck(dir byte, digits string) uint32 {
	h := crc32.NewIEEE()
	h.Write([]byte{dir, '/'})
	h.Write([]byte(digits))
	h.Write([]byte("cwlogs-get-token"))
	return h.Sum32() % 10000
}

func decodeGetToken(tok string, streamID int64) (forward bool, k evKey, ok bool) {
	if len(tok) != 2+56+2 || tok[1] != '/' || tok[58:] != "/s" || (tok[0] != 'f' && tok[0] != 'b') {
		return false, k, false
	}
	d := tok[2:58]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false, k, false
		}
	}
	chk, _ := strconv.ParseUint(d[52:], 10, 32)
	if uint32(chk) != tokenCheck(tok[0], d[:52]) {
		return false, k, false
	}
	ts, err1 := strconv.ParseInt(d[0:16], 10, 64)
	cid, err2 := strconv.ParseInt(d[16:35], 10, 64)
	idx, err3 := strconv.ParseInt(d[35:40], 10, 64)
	sid, err4 := strconv.ParseInt(d[40:52], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || sid != streamID%1_000_000_000_000 {
		return false, k, false
	}
	return tok[0] == 'f', evKey{ts, cid, idx}, true
}

// Other tokens are opaque: base64url of "kind|fields...|crc", the CRC-32 of what precedes
// its "|" in 8 hex digits.
func encodeOpaque(kind string, fields ...string) string {
	b := make([]byte, 0, 64)
	b = append(b, kind...)
	for _, f := range fields {
		b = append(b, '|')
		b = append(b, f...)
	}
	b = appendCRCHex(append(b, '|'), crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// appendCRCHex appends sum as 8 lower-case hex digits.
func appendCRCHex(b []byte, sum uint32) []byte {
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, "0123456789abcdef"[sum>>shift&15])
	}
	return b
}

func decodeOpaque(kind, tok string, n int) ([]string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	s := string(raw)
	i := strings.LastIndexByte(s, '|')
	var sum [8]byte
	if i < 0 || string(appendCRCHex(sum[:0], crc32.ChecksumIEEE(raw[:i]))) != s[i+1:] {
		return nil, false
	}
	parts := strings.SplitN(s[:i], "|", n+1)
	if len(parts) != n+1 || parts[0] != kind {
		return nil, false
	}
	return parts[1:], true
}

func encodeNameToken(kind, name string) string { return encodeOpaque(kind, name) }

func decodeNameToken(kind, tok string) (string, bool) {
	p, ok := decodeOpaque(kind, tok, 1)
	if !ok {
		return "", false
	}
	return p[0], true
}

// FilterLogEvents tokens: group id, the cut to resume from, and the scan position that bounds
// chunk candidates.
func encodeFilterToken(groupID int64, k evKey) string {
	return encodeOpaque("F", itoa(groupID), itoa(k.ts), itoa(k.cid), itoa(k.idx))
}

func decodeFilterToken(tok string, groupID int64) (evKey, bool) {
	p, ok := decodeOpaque("F", tok, 4)
	if !ok {
		return evKey{}, false
	}
	var v [4]int64
	for i := range p {
		x, err := strconv.ParseInt(p[i], 10, 64)
		if err != nil || x < 0 {
			return evKey{}, false
		}
		v[i] = x
	}
	if v[0] != groupID {
		return evKey{}, false
	}
	return evKey{v[1], v[2], v[3]}, true
}

// DescribeLogStreams tokens: group id, order, direction, sort value and last stream name.
func encodeStreamToken(groupID int64, order string, desc bool, sortVal int64, name string) string {
	return encodeOpaque("S", itoa(groupID), order, strconv.FormatBool(desc), itoa(sortVal), name)
}

func decodeStreamToken(tok string, groupID int64, order string, desc bool) (sortVal int64, name string, ok bool) {
	p, ok := decodeOpaque("S", tok, 5)
	if !ok || p[0] != itoa(groupID) || p[1] != order || p[2] != strconv.FormatBool(desc) {
		return 0, "", false
	}
	v, err := strconv.ParseInt(p[3], 10, 64)
	if err != nil {
		return 0, "", false
	}
	return v, p[4], true
}

// Describe tokens of metric and subscription filters carry a scope: a digest of the
// parameters that chose the listing (the log group's id, the name prefix, the metric), as
// DescribeLogStreams tokens carry the group id, order and direction. A token answered for
// other parameters, or for a log group since deleted and created again, is refused with
// "The specified nextToken is invalid." instead of paging another listing. The last
// filter's name comes last in the token: it may hold '|'.

// listScope digests the parameters of a listing. Each part is length-prefixed, so that no
// two different lists of parts digest alike by concatenation; callers spell an absent
// parameter differently from every present value (see optPart).
func listScope(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// optPart spells an optional string parameter for listScope: "-" when absent, "=" and the
// value when present (so an empty value differs from an absent one).
func optPart(s *string) string {
	if s == nil {
		return "-"
	}
	return "=" + *s
}

// DescribeMetricFilters tokens: scope, then the last filter's group name and name (filters
// of several groups sort by name, then group name).
func encodeMetricFilterToken(scope, group, name string) string {
	return encodeOpaque("M", scope, group, name)
}

func decodeMetricFilterToken(tok, scope string) (group, name string, ok bool) {
	p, ok := decodeOpaque("M", tok, 3)
	if !ok || p[0] != scope {
		return "", "", false
	}
	return p[1], p[2], true
}

// Tokens of listings paged by one name (the last one returned) and bound to their scope
// (the request's filters): DescribeSubscriptionFilters ("U", the last filter's name),
// ListLogGroups ("L", the last group's name), DescribeResourcePolicies ("P", the last
// policy's name, or resource ARN in resource scope), DescribeQueries ("D", the last
// query's id) and DescribeDestinations ("N", the last destination's name).
func encodeScopedToken(kind, scope, last string) string { return encodeOpaque(kind, scope, last) }

// decodeScopedToken returns the name a token of encodeScopedToken carries, if it is one of
// kind and scope.
func decodeScopedToken(kind, tok, scope string) (string, bool) {
	p, ok := decodeOpaque(kind, tok, 2)
	if !ok || p[0] != scope {
		return "", false
	}
	return p[1], true
}

// eventID is the 56-digit FilterLogEvents event id: timestamp, chunk id, index, stream id.
func eventID(k evKey, streamID int64) string {
	return fmt.Sprintf("%016d%019d%05d%016d", clampTs(k.ts), k.cid, k.idx, streamID%10_000_000_000_000_000)
}
