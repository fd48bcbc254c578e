package transform

import (
	"fmt"
	"strings"
	"testing"
)

// checkIndex fails unless o's index matches its members: none below indexFrom members,
// every key at its position from then on.
func checkIndex(t *testing.T, o *object) {
	t.Helper()
	if len(o.m) < indexFrom {
		if o.idx != nil {
			t.Fatalf("%d members are indexed", len(o.m))
		}
		return
	}
	if len(o.idx) != len(o.m) {
		t.Fatalf("%d members, %d in the index", len(o.m), len(o.idx))
	}
	for i, mb := range o.m {
		if o.idx[mb.k] != i {
			t.Fatalf("key %q at %d, indexed at %d", mb.k, i, o.idx[mb.k])
		}
	}
}

// TestObjectIndex runs sets, deletes and renames on objects either side of indexFrom and
// checks every lookup against a map and the order against a list.
func TestObjectIndex(t *testing.T) {
	for _, n := range []int{3, indexFrom - 1, indexFrom, 200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o := newObject()
			want := map[string]int{}
			var order []string
			for i := range n {
				k := fmt.Sprintf("k%d", i)
				o.set(k, i)
				want[k] = i
				order = append(order, k)
			}
			checkIndex(t, o)
			o.set("k0", -1) // replaced in place
			want["k0"] = -1
			o.del("k1")
			delete(want, "k1")
			order = append(order[:1], order[2:]...)
			checkIndex(t, o)
			renameKey(o, "k2", "renamed", false)
			want["renamed"] = want["k2"]
			delete(want, "k2")
			order[1] = "renamed"
			checkIndex(t, o)
			o.set("k1", 99) // back, at the end
			want["k1"] = 99
			order = append(order, "k1")
			checkIndex(t, o)
			c := clone(o).(*object)
			o.del("k0") // the clone keeps its own index
			for _, obj := range []*object{c} {
				checkIndex(t, obj)
				if len(obj.m) != len(order) {
					t.Fatalf("%d members, want %d", len(obj.m), len(order))
				}
				for i, k := range order {
					if obj.m[i].k != k {
						t.Fatalf("member %d is %q, want %q", i, obj.m[i].k, k)
					}
					if v, ok := obj.get(k); !ok || v != want[k] {
						t.Fatalf("get(%q) = %v, %v; want %d", k, v, ok, want[k])
					}
				}
				for _, k := range []string{"k2", "missing"} {
					if _, ok := obj.get(k); ok {
						t.Fatalf("get(%q) found a deleted or absent key", k)
					}
				}
			}
			checkIndex(t, o)
		})
	}
}

// TestDecodeIndexesLargeObjects: an object of many keys, as parseJSON, parseKeyValue and
// csv build them, is indexed (a lookup a key would make parsing it quadratic).
func TestDecodeIndexesLargeObjects(t *testing.T) {
	o, err := decodeObject(manyKeys(1000))
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, o)
	if o.idx == nil {
		t.Fatal("a 1000-key object is not indexed")
	}
}

// manyKeys is a JSON object of n keys.
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

// BenchmarkDecodeManyKeys decodes a 200 KB JSON object of 20,000 keys (the time per
// event a Logs Insights read pays for a parseJSON of it).
func BenchmarkDecodeManyKeys(b *testing.B) {
	s := manyKeys(20000)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeObject(s); err != nil {
			b.Fatal(err)
		}
	}
}
