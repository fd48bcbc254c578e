package main

import (
	"fmt"
	"strings"
)

// parseCredentialsFile reads the access keys the local server accepts (serve
// --credentials-file). Two formats are accepted, and may be mixed:
//
//   - the AWS shared credentials file: [section] headers with
//     aws_access_key_id = ID and aws_secret_access_key = KEY lines (one pair
//     per section; other keys such as aws_session_token are ignored);
//   - "ID:SECRET" lines, one pair per line, before, between or inside sections.
//
// Blank lines and lines starting with # or ; are ignored. Errors name the
// line but never show a secret.
func parseCredentialsFile(name, data string) (map[string]string, error) {
	creds := map[string]string{}
	type pending struct {
		id, secret string
		line       int
		section    string
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
		return add(creds, name, p.line, p.id, p.secret)
	}
	for i, raw := range strings.Split(data, "\n") {
		ln := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s:%d: unterminated section header", name, ln)
			}
			if err := flush(); err != nil {
				return nil, err
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
			}
			continue
		}
		id, secret, ok := strings.Cut(line, ":")
		if !ok {
			if cur != nil {
				return nil, fmt.Errorf("%s:%d: want KEY = VALUE (inside section [%s]) or ID:SECRET", name, ln, cur.section)
			}
			return nil, fmt.Errorf("%s:%d: want ID:SECRET or an AWS credentials file section", name, ln)
		}
		if err := add(creds, name, ln, strings.TrimSpace(id), strings.TrimSpace(secret)); err != nil {
			return nil, err
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s: no credentials found", name)
	}
	return creds, nil
}

func add(creds map[string]string, name string, line int, id, secret string) error {
	if err := checkKeyPair(id, secret); err != nil {
		return fmt.Errorf("%s:%d: %v", name, line, err)
	}
	if err := addKey(creds, id, secret); err != nil {
		return fmt.Errorf("%s:%d: %v", name, line, err)
	}
	return nil
}

// addKey adds the key pair to creds. The same pair given twice (the same
// keys under two profiles) is accepted; the same id with another secret is not.
func addKey(creds map[string]string, id, secret string) error {
	if old, dup := creds[id]; dup && old != secret {
		return fmt.Errorf("access key id %s given twice with different secrets", id)
	}
	creds[id] = secret
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
