package main

import (
	"fmt"
	"strings"
)

// keySource is where serve was given an access key: the place errors name ("FILE:LINE",
// "--access-key-id #2") and what the session token is called there.
type keySource struct{ where, tokenName string }

// flagKey is the source of the i-th (from 0) --access-key-id.
func flagKey(i int) keySource {
	return keySource{fmt.Sprintf("--access-key-id #%d", i+1), "--session-token"}
}

// fileKey is the source of a key at line of the credentials file name.
func fileKey(name string, line int) keySource {
	return keySource{fmt.Sprintf("%s:%d", name, line), "aws_session_token"}
}

// ringKey is an access key of a keyRing: its secret, its session token ("" for a
// long-term key) and where it was first given.
type ringKey struct {
	secret, token string
	src           keySource
}

// keyRing collects the access keys serve accepts, from its flags and its credentials
// file, and owns the rule they follow: a key is either temporary, given with one
// session token (the server then accepts it only with that token), or long-term, given
// without one. The same key may be given again (the same keys under two profiles, or
// in the file and the flags) with the same secret and the same token, or lack of one.
// The zero value is an empty ring.
type keyRing struct {
	keys map[string]ringKey
}

// add adds the key id with its secret and token ("" for none), given at src. Its errors
// name src, the key id and where the key was given before, never the secret or the token.
func (r *keyRing) add(id, secret, token string, src keySource) error {
	if err := checkKeyPair(id, secret); err != nil {
		return fmt.Errorf("%s: %v", src.where, err)
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return fmt.Errorf("%s: %s for %s contains white space", src.where, src.tokenName, id)
	}
	old, dup := r.keys[id]
	if !dup {
		if r.keys == nil {
			r.keys = map[string]ringKey{}
		}
		r.keys[id] = ringKey{secret: secret, token: token, src: src}
		return nil
	}
	switch {
	case old.secret != secret:
		return fmt.Errorf("%s: access key id %s given twice with different secrets (first at %s)", src.where, id, old.src.where)
	case old.token == "" && token != "":
		return fmt.Errorf("%s: access key id %s is given both with and without %s (first given without it at %s)", src.where, id, src.tokenName, old.src.where)
	case old.token != "" && token == "":
		return fmt.Errorf("%s: access key id %s is given both with and without %s (first given with it at %s)", src.where, id, old.src.tokenName, old.src.where)
	case old.token != token:
		return fmt.Errorf("%s: access key id %s given twice with different session tokens (first at %s)", src.where, id, old.src.where)
	}
	return nil
}

// longTerm returns the secrets of the keys given without a session token; nil if none.
func (r *keyRing) longTerm() map[string]string {
	var m map[string]string
	for id, k := range r.keys {
		if k.token == "" {
			if m == nil {
				m = map[string]string{}
			}
			m[id] = k.secret
		}
	}
	return m
}

// temporary returns the keys given with a session token; nil if none.
func (r *keyRing) temporary() map[string]tempCredential {
	var m map[string]tempCredential
	for id, k := range r.keys {
		if k.token != "" {
			if m == nil {
				m = map[string]tempCredential{}
			}
			m[id] = tempCredential{secret: k.secret, token: k.token}
		}
	}
	return m
}

// readCredentialsFile adds to r the access keys of the credentials file name, whose
// content is data (serve --credentials-file). Two formats are accepted, and may be mixed:
//
//   - the AWS shared credentials file: [section] headers with
//     aws_access_key_id = ID and aws_secret_access_key = KEY lines (one pair
//     per section) and, for temporary credentials, aws_session_token = TOKEN
//     (or its old name aws_security_token); other keys are ignored;
//   - "ID:SECRET" lines, one pair per line, before, between or inside sections.
//
// A key given with a session token is temporary (see keyRing). Blank lines and lines
// starting with # or ; are ignored. A file without keys is an error. Errors name the
// line but never show a secret or a token.
func (r *keyRing) readCredentialsFile(name, data string) error {
	type pending struct {
		id, secret, token string
		line              int
		section           string
	}
	found := false
	add := func(id, secret, token string, line int) error {
		found = true
		return r.add(id, secret, token, fileKey(name, line))
	}
	var cur *pending
	flush := func() error {
		if cur == nil {
			return nil
		}
		p := cur
		cur = nil
		switch {
		case p.id == "" && p.secret == "":
			return nil
		case p.id == "":
			return fmt.Errorf("%s: section [%s] (line %d) has aws_secret_access_key but no aws_access_key_id", name, p.section, p.line)
		case p.secret == "":
			return fmt.Errorf("%s: section [%s] (line %d) has aws_access_key_id %s but no aws_secret_access_key", name, p.section, p.line, p.id)
		}
		return add(p.id, p.secret, p.token, p.line)
	}
	for i, raw := range strings.Split(data, "\n") {
		ln := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return fmt.Errorf("%s:%d: unterminated section header", name, ln)
			}
			if err := flush(); err != nil {
				return err
			}
			cur = &pending{line: ln, section: strings.TrimSpace(line[1 : len(line)-1])}
			continue
		}
		// KEY = VALUE inside a section (no key has a ':'); else an ID:SECRET line, anywhere.
		if k, v, ok := strings.Cut(line, "="); ok && cur != nil && !strings.Contains(k, ":") {
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			switch k {
			case "aws_access_key_id":
				cur.id = v
			case "aws_secret_access_key":
				cur.secret = v
			case "aws_session_token", "aws_security_token":
				cur.token = v
			}
			continue
		}
		id, secret, ok := strings.Cut(line, ":")
		if !ok {
			if cur != nil {
				return fmt.Errorf("%s:%d: want KEY = VALUE (inside section [%s]) or ID:SECRET", name, ln, cur.section)
			}
			return fmt.Errorf("%s:%d: want ID:SECRET or an AWS credentials file section", name, ln)
		}
		if err := add(strings.TrimSpace(id), strings.TrimSpace(secret), "", ln); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%s: no credentials found", name)
	}
	return nil
}

// checkKeyPair validates an access key pair without ever showing the secret.
func checkKeyPair(id, secret string) error {
	switch {
	case id == "":
		return fmt.Errorf("empty access key id")
	case secret == "":
		return fmt.Errorf("empty secret access key for %s", id)
	case strings.ContainsAny(id, " \t/=,:"):
		// Not quoted: a "key = value" line whose value has a ':' (a secret) lands here.
		return fmt.Errorf("invalid access key id: no spaces, '/', '=', ',' or ':'")
	case strings.ContainsAny(secret, " \t"):
		return fmt.Errorf("secret access key for %s contains white space", id)
	}
	return nil
}
