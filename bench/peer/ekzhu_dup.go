// ekzhu_dup.go — the peer in the race: the near-copy job done with
// ekzhu/minhash-lsh (Debian golang-github-ekzhu-minhash-lsh-dev), written
// the way a Go user would. Same job as `tawam cluster --mode dup`: read
// JSONL, fold Arabic the same way (diacritics, tatweel, controls, alef,
// yaa, taa marbuta, hamza seats, digits, Latin case), word 5-shingles,
// 128 hash functions, LSH at Jaccard 0.5, union-find, and one output line
// per input line naming the earliest member of its cluster.
//
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o build/ekzhu_dup bench/peer/ekzhu_dup.go
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	minhashlsh "github.com/ekzhu/minhash-lsh"
)

func fold(r rune) (rune, bool) {
	switch {
	case r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670,
		r >= 0x06D6 && r <= 0x06ED, r == 0x0640,
		r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
		r == 0x061C, r == 0xFEFF:
		return 0, false
	case r == 0x0622 || r == 0x0623 || r == 0x0625 || r == 0x0671:
		return 0x0627, true
	case r == 0x0649:
		return 0x064A, true
	case r == 0x0629:
		return 0x0647, true
	case r == 0x0624:
		return 0x0648, true
	case r == 0x0626:
		return 0x064A, true
	case r >= 0x0660 && r <= 0x0669:
		return '0' + (r - 0x0660), true
	case r >= 0x06F0 && r <= 0x06F9:
		return '0' + (r - 0x06F0), true
	}
	return unicode.ToLower(r), true
}

func words(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		f, keep := fold(r)
		if !keep {
			continue
		}
		if unicode.IsLetter(f) || unicode.IsDigit(f) {
			b.WriteRune(f)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func find(p []int, x int) int {
	for p[x] != x {
		p[x] = p[p[x]]
		x = p[x]
	}
	return x
}

func main() {
	const k, numHash, threshold = 5, 128, 0.5
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		in = bufio.NewReaderSize(f, 1<<20)
	}
	var ids []json.RawMessage
	var ok []bool
	lsh := minhashlsh.NewMinhashLSH64(numHash, threshold)
	var sigs [][]uint64
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var doc struct {
				ID   json.RawMessage `json:"id"`
				Text string          `json:"text"`
			}
			good := json.Unmarshal(line, &doc) == nil && len(doc.ID) > 0
			w := words(doc.Text)
			good = good && len(w) > 0
			ids = append(ids, doc.ID)
			ok = append(ok, good)
			if good {
				mh := minhashlsh.NewMinhash(1, numHash)
				if len(w) < k {
					mh.Push([]byte(strings.Join(w, " ")))
				}
				for i := 0; i+k <= len(w); i++ {
					mh.Push([]byte(strings.Join(w[i:i+k], " ")))
				}
				sig := mh.Signature()
				lsh.Add(len(ids)-1, sig)
				sigs = append(sigs, sig)
			} else {
				sigs = append(sigs, nil)
			}
		}
		if err != nil {
			break
		}
	}
	lsh.Index()
	parent := make([]int, len(ids))
	for i := range parent {
		parent[i] = i
	}
	for i, sig := range sigs {
		if sig == nil {
			continue
		}
		for _, c := range lsh.Query(sig) {
			j := c.(int)
			a, b := find(parent, i), find(parent, j)
			if a < b {
				parent[b] = a
			} else if b < a {
				parent[a] = b
			}
		}
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	for i := range ids {
		if !ok[i] {
			id := "null"
			if len(ids[i]) > 0 {
				id = string(ids[i])
			}
			fmt.Fprintf(out, "{\"id\":%s,\"dup\":null,\"error\":\"unusable line\"}\n", id)
			continue
		}
		fmt.Fprintf(out, "{\"id\":%s,\"dup\":%s}\n", ids[i], ids[find(parent, i)])
	}
	out.Flush()
}
