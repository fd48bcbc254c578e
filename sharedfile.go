package cwlogs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parsing of the AWS shared config (~/.aws/config) and credentials
// (~/.aws/credentials) files: INI sections, "key = value" lines, full-line
// comments starting with '#' or ';', and indented sub-properties under a key
// with an empty value (used by [services ...] sections). Keys are
// case-insensitive, as in the AWS CLI.

type iniSection struct {
	vals map[string]string
	subs map[string]map[string]string
}

func (s *iniSection) get(key string) string {
	if s == nil {
		return ""
	}
	return s.vals[key]
}

// parseINI parses data; name is used in error messages.
func parseINI(name, data string) (map[string]*iniSection, error) {
	sections := map[string]*iniSection{}
	var cur *iniSection
	lastKey := ""
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		raw := strings.TrimRight(sc.Text(), " \t\r")
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("cwlogs: %s:%d: unterminated section header %q", name, lineNo, line)
			}
			sec := strings.Join(strings.Fields(line[1:end]), " ")
			cur = sections[sec]
			if cur == nil {
				cur = &iniSection{vals: map[string]string{}}
				sections[sec] = cur
			}
			lastKey = ""
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			return nil, fmt.Errorf("cwlogs: %s:%d: expected \"key = value\" or [section]", name, lineNo)
		}
		if cur == nil {
			return nil, fmt.Errorf("cwlogs: %s:%d: key outside of any [section]", name, lineNo)
		}
		key := strings.ToLower(strings.TrimSpace(line[:eq]))
		val := strings.TrimSpace(line[eq+1:])
		indented := raw[0] == ' ' || raw[0] == '\t'
		if indented && lastKey != "" && cur.vals[lastKey] == "" {
			if cur.subs == nil {
				cur.subs = map[string]map[string]string{}
			}
			if cur.subs[lastKey] == nil {
				cur.subs[lastKey] = map[string]string{}
			}
			cur.subs[lastKey][key] = val
			continue
		}
		cur.vals[key] = val
		lastKey = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cwlogs: reading %s: %w", name, err)
	}
	return sections, nil
}

// sharedFiles holds the parsed shared credentials and config files.
type sharedFiles struct {
	credFile, cfgFile string
	creds             map[string]*iniSection // by profile name
	profiles          map[string]*iniSection // config file "[profile x]" / "[default]", by profile name
	services          map[string]*iniSection // config file "[services x]"
	ssoSessions       map[string]*iniSection // config file "[sso-session x]"
}

func readOptional(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cwlogs: reading shared AWS file: %w", err)
	}
	return string(b), nil
}

func loadSharedFiles(credFile, cfgFile string) (*sharedFiles, error) {
	sf := &sharedFiles{credFile: credFile, cfgFile: cfgFile,
		creds: map[string]*iniSection{}, profiles: map[string]*iniSection{}, services: map[string]*iniSection{},
		ssoSessions: map[string]*iniSection{}}
	data, err := readOptional(credFile)
	if err != nil {
		return nil, err
	}
	if sf.creds, err = parseINI(credFile, data); err != nil {
		return nil, err
	}
	if data, err = readOptional(cfgFile); err != nil {
		return nil, err
	}
	secs, err := parseINI(cfgFile, data)
	if err != nil {
		return nil, err
	}
	for name, s := range secs {
		switch {
		case name == "default":
			if _, ok := sf.profiles["default"]; !ok {
				sf.profiles["default"] = s
			}
		case strings.HasPrefix(name, "profile "):
			sf.profiles[strings.TrimPrefix(name, "profile ")] = s // "[profile default]" wins over "[default]"
		case strings.HasPrefix(name, "services "):
			sf.services[strings.TrimPrefix(name, "services ")] = s
		case strings.HasPrefix(name, "sso-session "):
			sf.ssoSessions[strings.TrimPrefix(name, "sso-session ")] = s
		}
	}
	return sf, nil
}

func (sf *sharedFiles) hasProfile(name string) bool {
	return sf.creds[name] != nil || sf.profiles[name] != nil
}

// setting returns a profile setting from the config file, else from the
// credentials file (the AWS CLI merges both).
func (sf *sharedFiles) setting(profile, key string) string {
	if v := sf.profiles[profile].get(key); v != "" {
		return v
	}
	return sf.creds[profile].get(key)
}

// serviceEndpoint returns endpoint_url of service (the config key:
// cloudwatch_logs, sts) in the profile's services section.
func (sf *sharedFiles) serviceEndpoint(profile, service string) string {
	name := sf.setting(profile, "services")
	if name == "" {
		return ""
	}
	s := sf.services[name]
	if s == nil || s.subs == nil {
		return ""
	}
	return s.subs[service]["endpoint_url"]
}

// chainEnv is what resolving a profile needs besides the files.
type chainEnv struct {
	getenv func(string) string
	region string // the client's region: STS is called there
	// endpoint returns a service's configured endpoint for a profile:
	// envName (AWS_ENDPOINT_URL_<SERVICE>), AWS_ENDPOINT_URL, the profile's
	// services section entry key; "" for the default.
	endpoint func(profile, envName, key string) string
	client   *http.Client
	retry    RetryPolicy
	now      func() time.Time
	timeout  time.Duration // per attempt
	// mfa asks for the code of a role's MFA device; nil when nothing can.
	mfa func(ctx context.Context, serialNumber string) (string, error)
	// roleCache keeps assumed roles' sessions in files; nil keeps them in memory.
	roleCache *RoleCache
}

// sts returns the STS settings for a role profile.
func (ce chainEnv) sts(profile string) STS {
	return STS{Region: ce.region, Endpoint: ce.endpoint(profile, "AWS_ENDPOINT_URL_STS", "sts"), Client: ce.client, Retry: ce.retry,
		Now: ce.now, Timeout: ce.timeout}
}

// provider returns the profile's credential source, in the AWS CLI's order:
// a role (role_arn with source_profile, credential_source or
// web_identity_token_file), else the web identity role of AWS_ROLE_ARN and
// AWS_WEB_IDENTITY_TOKEN_FILE, else the profile's IAM Identity Center role,
// else static keys in the credentials file, the profile's credential_process,
// static keys in the config file. Nothing is fetched or run here.
func (sf *sharedFiles) provider(profile string, ce chainEnv) (CredentialsProvider, error) {
	return sf.resolve(profile, ce, nil)
}

func (sf *sharedFiles) resolve(profile string, ce chainEnv, chain []string) (CredentialsProvider, error) {
	chain = append(chain, profile)
	if len(chain) > 1 {
		// A source profile's static keys win over its own role, as in
		// botocore (aws-sdk-go-v2 assumes the source's role instead).
		if c, found, err := sf.staticKeys(profile); found || err != nil {
			return StaticCredentialsProvider{Credentials: c}, err
		}
	}
	if sf.setting(profile, "role_arn") != "" {
		return sf.role(profile, ce, chain)
	}

	for _, k := range []string{"source_profile", "credential_source", "web_identity_token_file"} {
		if sf.setting(profile, k) != "" {
			return nil, fmt.Errorf("%w: profile %q sets %s without role_arn", ErrNoCredentials, profile, k)
		}
	}
	if len(chain) == 1 && ce.getenv("AWS_ROLE_ARN") != "" && ce.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" {
		return &WebIdentityRoleProvider{STS: ce.sts(profile), RoleARN: ce.getenv("AWS_ROLE_ARN"),
			TokenFile: ce.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), RoleSessionName: ce.getenv("AWS_ROLE_SESSION_NAME"), Cache: ce.roleCache}, nil
	}
	// As in botocore, a profile is an SSO one when it names the role to get;
	// sso_session or sso_start_url alone only configure `aws sso login`.
	if sf.setting(profile, "sso_account_id") != "" || sf.setting(profile, "sso_role_name") != "" {
		return sf.sso(profile, ce)
	}
	c, found, err := staticKeys(sf.creds[profile], profile, sf.credFile)
	if found || err != nil {
		return StaticCredentialsProvider{Credentials: c}, err
	}
	if cmd := sf.setting(profile, "credential_process"); cmd != "" {
		return ProcessCredentialsProvider{Command: cmd, Name: "credential_process of profile " + strconv.Quote(profile)}, nil
	}
	c, found, err = staticKeys(sf.profiles[profile], profile, sf.cfgFile)
	if found || err != nil {
		return StaticCredentialsProvider{Credentials: c}, err
	}
	if !sf.hasProfile(profile) {
		if len(chain) > 1 {
			return nil, fmt.Errorf("%w: source_profile %q of profile %q not found in %s or %s", ErrNoCredentials, profile, chain[len(chain)-2], sf.credFile, sf.cfgFile)
		}
		return nil, &profileEmptyError{fmt.Sprintf("profile %q not found in %s or %s", profile, sf.credFile, sf.cfgFile)}
	}
	if len(chain) > 1 {
		return nil, fmt.Errorf("%w: source_profile %q has no credentials", ErrNoCredentials, profile)
	}
	return nil, &profileEmptyError{fmt.Sprintf("profile %q has no aws_access_key_id or credential_process", profile)}
}

// role returns the AssumeRole or web identity provider of a role_arn profile.
func (sf *sharedFiles) role(profile string, ce chainEnv, chain []string) (CredentialsProvider, error) {
	arn := sf.setting(profile, "role_arn")
	session := sf.setting(profile, "role_session_name")
	var duration time.Duration
	if v := sf.setting(profile, "duration_seconds"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 900 || n > 43200 {
			return nil, &ValidationError{Operation: "NewFromEnvironment", Field: "duration_seconds", Value: showValue(v), Reason: fmt.Sprintf("of profile %q must be a whole number of seconds from 900 to 43200", profile)}
		}
		duration = time.Duration(n) * time.Second
	}
	if tf := sf.setting(profile, "web_identity_token_file"); tf != "" {
		return &WebIdentityRoleProvider{STS: ce.sts(profile), RoleARN: arn, TokenFile: expandHome(tf), RoleSessionName: session, Duration: duration, Cache: ce.roleCache}, nil
	}
	serial := sf.setting(profile, "mfa_serial")
	if serial != "" && ce.mfa == nil && ce.roleCache == nil {
		return nil, fmt.Errorf("%w: profile %q uses mfa_serial and nothing was set up to ask for the code: use WithMFATokenCode (the cwlogs CLI prompts for it)", ErrNoCredentials, profile)
	}
	src, srcProfile := sf.setting(profile, "credential_source"), sf.setting(profile, "source_profile")
	var source CredentialsProvider
	switch {
	case src != "" && srcProfile != "":
		return nil, fmt.Errorf("%w: profile %q sets both source_profile and credential_source", ErrNoCredentials, profile)
	case srcProfile == profile:
		// A profile that is its own source uses its own static keys.
		c, found, err := sf.staticKeys(profile)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("%w: profile %q is its own source_profile but has no aws_access_key_id", ErrNoCredentials, profile)
		}
		source = StaticCredentialsProvider{Credentials: c}
	case srcProfile != "":
		if i := slices.Index(chain, srcProfile); i >= 0 {
			return nil, fmt.Errorf("%w: source_profile loop: %s", ErrNoCredentials, strings.Join(append(chain[i:], srcProfile), " -> "))
		}
		p, err := sf.resolve(srcProfile, ce, chain)
		if err != nil {
			return nil, err
		}
		source = p
	case src == "Environment":
		source = EnvCredentialsProvider{Getenv: ce.getenv}
	case src == "Ec2InstanceMetadata":
		imds, err := sf.settings(ce.getenv, profile).imdsProvider()
		if err != nil {
			return nil, err
		}
		if imds == nil {
			return nil, fmt.Errorf("%w: profile %q has credential_source Ec2InstanceMetadata but AWS_EC2_METADATA_DISABLED is true", ErrNoCredentials, profile)
		}
		source = imds
	case src == "EcsContainer":
		cp, err := containerProviderFromEnv(ce.getenv)
		if err != nil {
			return nil, err
		}
		if cp == nil {
			return nil, fmt.Errorf("%w: profile %q has credential_source EcsContainer but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set", ErrNoCredentials, profile)
		}
		source = cp
	case src != "":
		return nil, &ValidationError{Operation: "NewFromEnvironment", Field: "credential_source", Value: showValue(src), Reason: fmt.Sprintf("of profile %q must be Environment, Ec2InstanceMetadata or EcsContainer", profile)}
	default:
		return nil, fmt.Errorf("%w: profile %q has role_arn but no source_profile, credential_source or web_identity_token_file", ErrNoCredentials, profile)
	}
	if _, static := source.(StaticCredentialsProvider); !static {
		source = NewCredentialsCache(source)
	}
	return &AssumeRoleProvider{STS: ce.sts(profile), Source: source, RoleARN: arn, RoleSessionName: session,
		ExternalID: sf.setting(profile, "external_id"), Duration: duration, SerialNumber: serial, TokenCode: ce.mfa, Cache: ce.roleCache}, nil
}

// sso returns the SSO provider of a profile with sso_session (its settings
// in [sso-session NAME]) or the legacy sso_start_url and sso_region.
func (sf *sharedFiles) sso(profile string, ce chainEnv) (CredentialsProvider, error) {
	p := &SSOCredentialsProvider{AccountID: sf.setting(profile, "sso_account_id"), RoleName: sf.setting(profile, "sso_role_name"),
		Region: sf.setting(profile, "sso_region"), StartURL: sf.setting(profile, "sso_start_url"), Profile: profile,
		PortalEndpoint: ce.endpoint(profile, "AWS_ENDPOINT_URL_SSO", "sso"), OIDCEndpoint: ce.endpoint(profile, "AWS_ENDPOINT_URL_SSO_OIDC", "sso_oidc"),
		Client: ce.client, Now: ce.now, Timeout: ce.timeout, Retry: ce.retry}
	if name := sf.setting(profile, "sso_session"); name != "" {
		sec := sf.ssoSessions[name]
		if sec == nil {
			return nil, fmt.Errorf("%w: profile %q names sso_session %q, but %s has no [sso-session %s] section", ErrNoCredentials, profile, name, sf.cfgFile, name)
		}
		for _, k := range []string{"sso_region", "sso_start_url"} {
			v, own := sec.get(k), sf.setting(profile, k)
			if own != "" && v != "" && own != v {
				return nil, fmt.Errorf("%w: profile %q sets %s %q, which differs from its sso-session's %q", ErrNoCredentials, profile, k, own, v)
			}
		}
		p.SessionName = name
		p.Region, p.StartURL = sec.get("sso_region"), sec.get("sso_start_url")
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"sso_account_id", p.AccountID}, {"sso_role_name", p.RoleName}, {"sso_region", p.Region}, {"sso_start_url", p.StartURL}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: SSO profile %q lacks %s", ErrNoCredentials, profile, strings.Join(missing, ", "))
	}
	return p, nil
}

// profileEmptyError reports a profile without any credential setting: the
// AWS CLI then goes on to the container endpoint and the instance metadata
// service. It matches ErrNoCredentials.
type profileEmptyError struct{ msg string }

func (e *profileEmptyError) Error() string        { return ErrNoCredentials.Error() + ": " + e.msg }
func (e *profileEmptyError) Is(target error) bool { return target == ErrNoCredentials }

// staticKeys reads a profile's static keys from the credentials file, else
// from the config file.
func (sf *sharedFiles) staticKeys(profile string) (Credentials, bool, error) {
	c, found, err := staticKeys(sf.creds[profile], profile, sf.credFile)
	if !found && err == nil {
		c, found, err = staticKeys(sf.profiles[profile], profile, sf.cfgFile)
	}
	return c, found, err
}

// staticKeys reads the static keys of a profile's section of file; found
// reports whether any was set.
func staticKeys(sec *iniSection, profile, file string) (c Credentials, found bool, err error) {
	if sec == nil {
		return Credentials{}, false, nil
	}
	akid, secret := sec.get("aws_access_key_id"), sec.get("aws_secret_access_key")
	if akid == "" && secret == "" {
		return Credentials{}, false, nil
	}
	if akid == "" || secret == "" {
		return Credentials{}, true, fmt.Errorf("cwlogs: profile %q in %s: aws_access_key_id and aws_secret_access_key must both be set", profile, file)
	}
	return Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: sec.get("aws_session_token"),
		Source: "shared file " + filepath.Base(file) + " (profile " + profile + ")"}, true, nil
}
