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
//     per section) and, for temporary credentials, aws_session_token = TOKEN
//     (or its old name aws_security_token); other keys are ignored;
//   - "ID:SECRET" lines, one pair per line, before, between or inside sections.
//
// It returns the secrets by access key id, and the session tokens of the
// keys given with one: the server accepts those only with their token, as
// AWS does temporary credentials. Blank lines and lines starting with # or ;
// are ignored. Errors name the line but never show a secret or a token.
func parseCredentialsFile(name, data string) (creds, tokens map[string]string, err error) {
	creds, tokens = map[string]string{}, map[string]string{}
	plain := map[string]int{} // keys given without a token, and the line
	type pending struct {
		id, secret, token string
		line              int
		section           string
	}
	// addToken records the key's token ("" for none): a key is either temporary,
	// with one token, or not.
	addToken := func(id, token string, line int) error {
		old, temp := tokens[id]
		_, notTemp := plain[id]
		switch {
		case token == "" && temp, token != "" && notTemp:
			return fmt.Errorf("%s:%d: access key id %s is given both with and without aws_session_token", name, line, id)
		case token != "" && temp && old != token:
			return fmt.Errorf("%s:%d: access key id %s given twice with different session tokens", name, line, id)
		case strings.ContainsAny(token, " \t"):
			return fmt.Errorf("%s:%d: aws_session_token for %s contains white space", name, line, id)
		case token == "":
			plain[id] = line
		default:
			tokens[id] = token
		}
		return nil
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
		if err := add(creds, name, p.line, p.id, p.secret); err != nil {
			return err
		}
		return addToken(p.id, p.token, p.line)
	}
	for i, raw := range strings.Split(data, "\n") {
		ln := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, nil, fmt.Errorf("%s:%d: unterminated section header", name, ln)
			}
			if err := flush(); err != nil {
				return nil, nil, err
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
				return nil, nil, fmt.Errorf("%s:%d: want KEY = VALUE (inside section [%s]) or ID:SECRET", name, ln, cur.section)
			}
			return nil, nil, fmt.Errorf("%s:%d: want ID:SECRET or an AWS credentials file section", name, ln)
		}
		id = strings.TrimSpace(id)
		if err := add(creds, name, ln, id, strings.TrimSpace(secret)); err != nil {
			return nil, nil, err
		}
		if err := addToken(id, "", ln); err != nil {
			return nil, nil, err
		}
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	if len(creds) == 0 {
		return nil, nil, fmt.Errorf("%s: no credentials found", name)
	}
	return creds, tokens, nil
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
