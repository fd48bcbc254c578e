package localserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const dpArn = "arn:aws:dataprotection::aws:data-identifier/"

// dpDoc is a data protection policy masking the managed identifiers names (and, with
// custom, declaring those custom identifiers, a JSON array, and masking them too).
func dpDoc(custom string, names ...string) string {
	var ids []string
	for _, n := range names {
		if strings.HasPrefix(n, "custom:") {
			ids = append(ids, strings.TrimPrefix(n, "custom:"))
		} else {
			ids = append(ids, dpArn+n)
		}
	}
	list, _ := json.Marshal(ids)
	conf := ""
	if custom != "" {
		conf = `,"Configuration":{"CustomDataIdentifier":` + custom + `}`
	}
	return `{"Name":"data-protection-policy","Description":"","Version":"2021-06-01"` + conf + `,"Statement":[` +
		`{"Sid":"audit-policy","DataIdentifier":` + string(list) + `,"Operation":{"Audit":{"FindingsDestination":{}}}},` +
		`{"Sid":"redact-policy","DataIdentifier":` + string(list) + `,"Operation":{"Deidentify":{"MaskConfig":{}}}}]}`
}

// cliDPDoc is the AWS CLI's put-data-protection-policy example document, as the file it
// reads (newlines and indentation kept).
const cliDPDoc = `{
    "Name": "data-protection-policy",
    "Description": "",
    "Version": "2021-06-01",
    "Statement": [{
        "Sid": "audit-policy",
        "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"],
        "Operation": {
            "Audit": {
                "FindingsDestination": {}
            }
        }
    }, {
        "Sid": "redact-policy",
        "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"],
        "Operation": {
            "Deidentify": {
                "MaskConfig": {}
            }
        }
    }]
}
`

// TestParseDataProtectionPolicy: the documents Terraform, CDK and the AWS CLI send are
// accepted; each documented rule refuses what breaks it, with AWS's recorded message where
// there is one.
func TestParseDataProtectionPolicy(t *testing.T) {
	swap := `{"Name":"p","Version":"2021-06-01","Statement":[` +
		`{"DataIdentifier":["` + dpArn + `EmailAddress"],"Operation":{"Deidentify":{"MaskConfig":{}}}},` +
		`{"DataIdentifier":["` + dpArn + `EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}}]}`
	cdk := `{"name":"data-protection-policy-cdk","description":"cdk generated data protection policy","version":"2021-06-01",` +
		`"configuration":{"customDataIdentifier":[{"name":"EmployeeId","regex":"EmployeeId-\\d{9}"}]},"statement":[` +
		`{"sid":"audit-statement-cdk","dataIdentifier":["` + dpArn + `EmailAddress","EmployeeId"],"operation":{"audit":{"findingsDestination":{}}}},` +
		`{"sid":"redact-statement-cdk","dataIdentifier":["` + dpArn + `EmailAddress","EmployeeId"],"operation":{"deidentify":{"maskConfig":{}}}}]}`
	s3 := strings.Replace(dpDoc("", "EmailAddress"), `"FindingsDestination":{}`,
		`"FindingsDestination":{"S3":{"Bucket":"b"},"Firehose":{"DeliveryStream":"f"},"CloudWatchLogs":{"LogGroup":"audit"}}`, 1)
	custom := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"Name":"c%d","Regex":"x%d"}`, i, i))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	tests := []struct {
		name      string
		doc       string
		partition string
		wantErr   string // "" accepts
		managed   []string
		custom    []string
		audit     []string
	}{
		{"AWS CLI example", cliDPDoc, "aws", "", []string{"CreditCardNumber"}, nil, nil},
		{"two managed identifiers, either order", strings.Replace(dpDoc("", "EmailAddress", "DriversLicense-US"),
			`"DataIdentifier":["`+dpArn+`EmailAddress","`+dpArn+`DriversLicense-US"],"Operation":{"Deidentify"`,
			`"DataIdentifier":["`+dpArn+`DriversLicense-US","`+dpArn+`EmailAddress"],"Operation":{"Deidentify"`, 1),
			"aws", "", []string{"DriversLicense-US", "EmailAddress"}, nil, nil},
		{"CDK camelCase with a custom identifier", cdk, "aws", "", []string{"EmailAddress"}, []string{"EmployeeId"}, nil},
		{"findings destinations", s3, "aws", "", []string{"EmailAddress"}, nil, []string{"audit"}},
		{"China partition", strings.ReplaceAll(dpDoc("", "IpAddress"), "arn:aws:", "arn:aws-cn:"), "aws-cn", "", []string{"IpAddress"}, nil, nil},
		{"stored, any partition", strings.ReplaceAll(dpDoc("", "IpAddress"), "arn:aws:", "arn:aws-cn:"), "", "", []string{"IpAddress"}, nil, nil},
		{"ten custom identifiers", dpDoc(custom(10), "custom:c9"), "aws", "", nil, []string{"c9"}, nil},

		{"too long", dpDoc("", "EmailAddress") + strings.Repeat(" ", 30720), "aws", "~can be up to 30720", nil, nil, nil},
		{"not JSON", `{"Name":`, "aws", "The data protection policy document is not a valid JSON object.", nil, nil, nil},
		{"JSON array", `[]`, "aws", "The data protection policy document is not a valid JSON object.", nil, nil, nil},
		{"no Name", strings.Replace(dpDoc("", "EmailAddress"), `"Name":"data-protection-policy",`, "", 1), "aws", "The data protection policy document must have a Name.", nil, nil, nil},
		{"Name with spaces", strings.Replace(dpDoc("", "EmailAddress"), `"data-protection-policy"`, `"data protection policy"`, 1), "aws",
			"Policy Name can only include alphanumeric characters, hyphens (-) and underscores (_)", nil, nil, nil},
		{"no Version", strings.Replace(dpDoc("", "EmailAddress"), `"Version":"2021-06-01",`, "", 1), "aws", `The data protection policy document must have Version "2021-06-01".`, nil, nil, nil},
		{"IAM Version", strings.Replace(dpDoc("", "EmailAddress"), `2021-06-01`, `2012-10-17`, 1), "aws", `The data protection policy document must have Version "2021-06-01".`, nil, nil, nil},
		{"one statement", `{"Name":"p","Version":"2021-06-01","Statement":[{"DataIdentifier":["` + dpArn + `EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}}]}`,
			"aws", "~must have two statements", nil, nil, nil},
		{"Statement not a list", `{"Name":"p","Version":"2021-06-01","Statement":{}}`, "aws", "~malformed: member Statement", nil, nil, nil},
		{"empty DataIdentifier", strings.Replace(dpDoc("", "EmailAddress"), `"DataIdentifier":["`+dpArn+`EmailAddress"]`, `"DataIdentifier":[]`, 1),
			"aws", "Statement 1 of the data protection policy must have a non-empty DataIdentifier array.", nil, nil, nil},
		{"Deidentify first", swap, "aws", "~The first statement of a data protection policy must have an Operation with the Audit action only", nil, nil, nil},
		{"both actions", strings.Replace(dpDoc("", "EmailAddress"), `{"Audit":{"FindingsDestination":{}}}`, `{"Audit":{"FindingsDestination":{}},"Deidentify":{"MaskConfig":{}}}`, 1),
			"aws", "~The first statement", nil, nil, nil},
		{"no FindingsDestination", strings.Replace(dpDoc("", "EmailAddress"), `{"FindingsDestination":{}}`, `{}`, 1),
			"aws", "The Audit operation of a data protection policy must have a FindingsDestination object.", nil, nil, nil},
		{"MaskConfig not empty", strings.Replace(dpDoc("", "EmailAddress"), `"MaskConfig":{}`, `"MaskConfig":{"Char":"#"}`, 1),
			"aws", "The Deidentify operation of a data protection policy must have an empty MaskConfig object.", nil, nil, nil},
		{"no MaskConfig", strings.Replace(dpDoc("", "EmailAddress"), `{"MaskConfig":{}}`, `{}`, 1),
			"aws", "The Deidentify operation of a data protection policy must have an empty MaskConfig object.", nil, nil, nil},
		{"arrays differ", strings.Replace(dpDoc("", "EmailAddress"), `"DataIdentifier":["`+dpArn+`EmailAddress"],"Operation":{"Deidentify"`,
			`"DataIdentifier":["`+dpArn+`IpAddress"],"Operation":{"Deidentify"`, 1),
			"aws", "The DataIdentifier arrays of the Audit and Deidentify statements must match exactly.", nil, nil, nil},
		{"PhoneNumber (AWS refuses it)", dpDoc("", "PhoneNumber"), "aws", dpArn + "PhoneNumber is not a valid Data Identifier", nil, nil, nil},
		{"another partition", strings.ReplaceAll(dpDoc("", "IpAddress"), "arn:aws:", "arn:aws-cn:"), "aws",
			"arn:aws-cn:dataprotection::aws:data-identifier/IpAddress is not a valid Data Identifier", nil, nil, nil},
		{"undeclared custom identifier", dpDoc("", "custom:EmployeeId"), "aws", "EmployeeId is not a valid Data Identifier", nil, nil, nil},
		{"audit log group without name", strings.Replace(dpDoc("", "EmailAddress"), `"FindingsDestination":{}`, `"FindingsDestination":{"CloudWatchLogs":{}}`, 1),
			"aws", "FindingsDestination.CloudWatchLogs must name a LogGroup.", nil, nil, nil},
		{"eleven custom identifiers", dpDoc(custom(11), "custom:c0"), "aws", "A data protection policy can have at most 10 custom data identifiers; it has 11.", nil, nil, nil},
		{"custom name with a space", dpDoc(`[{"Name":"Employee Id","Regex":"x"}]`, "EmailAddress"), "aws", "~Custom data identifier name \"Employee Id\"", nil, nil, nil},
		{"custom name of a managed one", dpDoc(`[{"Name":"EmailAddress","Regex":"x"}]`, "EmailAddress"), "aws", "Custom data identifier \"EmailAddress\" has the name of a managed data identifier.", nil, nil, nil},
		{"custom regex with a group", dpDoc(`[{"Name":"c","Regex":"(a)"}]`, "custom:c"), "aws", "The Regex of custom data identifier \"c\" has a character that is not supported.", nil, nil, nil},
		{"custom regex too long", dpDoc(`[{"Name":"c","Regex":"`+strings.Repeat("a", 201)+`"}]`, "custom:c"), "aws", "~must have 1 to 200 characters", nil, nil, nil},
		{"custom regex too complex", dpDoc(`[{"Name":"c","Regex":"\\w{600}\\w{600}"}]`, "custom:c"), "aws",
			"The Regex of custom data identifier \"c\" is too complex (1202 instructions, at most 300): use smaller repetition counts.", nil, nil, nil},
		{"custom regex at the size limit", dpDoc(`[{"Name":"c","Regex":"[A-Z]{2}\\d{296}"}]`, "custom:c"), "aws", "", nil, []string{"c"}, nil},
		{"custom regex just over the size limit", dpDoc(`[{"Name":"c","Regex":"[A-Z]{2}\\d{297}"}]`, "custom:c"), "aws", "~(301 instructions, at most 300)", nil, nil, nil},
		{"custom regex that does not compile", dpDoc(`[{"Name":"c","Regex":"[a-"}]`, "custom:c"), "aws", "The Regex of custom data identifier \"c\" is not a valid regular expression.", nil, nil, nil},
		{"custom identifier twice", dpDoc(`[{"Name":"c","Regex":"a"},{"Name":"c","Regex":"b"}]`, "custom:c"), "aws", "Custom data identifier \"c\" is defined twice.", nil, nil, nil},
		{"custom identifier without Regex", dpDoc(`[{"Name":"c"}]`, "custom:c"), "aws", "A custom data identifier must have a Name and a Regex.", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, derr := parseDataProtectionPolicy(tc.doc, tc.partition)
			if tc.wantErr != "" {
				if derr == nil {
					t.Fatalf("accepted, want %q", tc.wantErr)
				}
				if sub, ok := strings.CutPrefix(tc.wantErr, "~"); ok && !strings.Contains(derr.msg, sub) || !ok && derr.msg != tc.wantErr {
					t.Fatalf("got %q, want %q", derr.msg, tc.wantErr)
				}
				return
			}
			if derr != nil {
				t.Fatalf("refused: %s", derr.msg)
			}
			var custom []string
			for _, c := range p.custom {
				custom = append(custom, c.name)
			}
			slices.Sort(p.managed)
			if !slices.Equal(p.managed, tc.managed) || !slices.Equal(custom, tc.custom) || !slices.Equal(p.auditGroups, tc.audit) {
				t.Fatalf("managed %v custom %v audit %v, want %v %v %v", p.managed, custom, p.auditGroups, tc.managed, tc.custom, tc.audit)
			}
		})
	}
}

// stars is what masking makes of s: one asterisk a character.
func stars(s string) string { return strings.Repeat("*", len([]rune(s))) }

// TestMaskFinders: what EmailAddress, IpAddress and custom identifiers mask, character for
// character, and that other managed identifiers mask nothing.
func TestMaskFinders(t *testing.T) {
	tests := []struct {
		ids, custom, msg, want string
	}{
		{"EmailAddress", "", "mail jane.doe+x@mail.example.com now", "mail " + stars("jane.doe+x@mail.example.com") + " now"},
		{"EmailAddress", "", `{"email":"a@b.io","n":1}`, `{"email":"******","n":1}`},
		{"EmailAddress", "", "no domain dot: root@localhost", "no domain dot: root@localhost"},
		{"EmailAddress", "", "two: x@y.com, z@w.org.", "two: *******, *******."},
		{"EmailAddress", "", "label over 63: a@" + strings.Repeat("b", 64) + ".com", "label over 63: a@" + strings.Repeat("b", 64) + ".com"},
		{"EmailAddress", "", "ünï x@y.com", "ünï *******"},
		{"EmailAddress", "", "user=jane@example.com to='x@y.io' GET /u/a.b@c.io?to=d@e.io", "user=**************** to='******' GET /u/********?to=******"},
		{"EmailAddress", "", "odd but valid: a!b#c$d%e*f+g^h_i~j-k@x.io", "odd but valid: " + stars("a!b#c$d%e*f+g^h_i~j-k@x.io")},
		{"IpAddress", "", "from 10.0.0.1 to 192.168.1.255.", "from ******** to *************."},
		{"IpAddress", "", "host 10.1.2.3:8080 up", "host ********:8080 up"},
		{"IpAddress", "", "v6 fe80::1 and 2001:db8::8a2e:370:7334 ok", "v6 " + stars("fe80::1") + " and " + stars("2001:db8::8a2e:370:7334") + " ok"},
		{"IpAddress", "", "not: 256.1.1.1 1.2.3 01.2.3.4 12:30:45 std::string a1.2.3.4 v1.2.3.4", "not: 256.1.1.1 1.2.3 01.2.3.4 12:30:45 std::string a1.2.3.4 v1.2.3.4"},
		{"IpAddress", "", "ip:10.0.0.1 peer:10.0.0.2:443 addr.10.0.0.3", "ip:******** peer:********:443 addr.********"},
		{"IpAddress", "", "10.0.0.1:port fe80::1:x", "********:port " + stars("fe80::1") + ":x"},
		{"IpAddress", "", "nets 2001:db8:: and fe80::, ::1 ::ffff:10.0.0.1", "nets " + stars("2001:db8::") + " and " + stars("fe80::") + ", *** " + stars("::ffff:10.0.0.1")},
		{"IpAddress", "", "not: :: a :: b Class::method x::1 1::", "not: :: a :: b Class::method x::1 ***"},
		{"CreditCardNumber", "", "card 4111111111111111", "card 4111111111111111"},
		{"AwsSecretKey", "", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		{"custom:Emp", `[{"Name":"Emp","Regex":"EmployeeID-\\d{9}"}]`, "id EmployeeID-123456789 and EmployeeID-12", "id " + stars("EmployeeID-123456789") + " and EmployeeID-12"},
		{"custom:Emp,EmailAddress", `[{"Name":"Emp","Regex":"[a-z]+@"}]`, "a@b.io", "******"},
	}
	for _, tc := range tests {
		t.Run(tc.ids+"/"+tc.msg, func(t *testing.T) {
			p, derr := parseDataProtectionPolicy(dpDoc(tc.custom, strings.Split(tc.ids, ",")...), "aws")
			if derr != nil {
				t.Fatal(derr)
			}
			gm := &groupMasker{versions: []dpVersion{{from: 0, to: 1 << 62, finders: p.finders()}}}
			if got := gm.mask(tc.msg, 5); got != tc.want {
				t.Errorf("mask(%q)\n got %q\nwant %q", tc.msg, got, tc.want)
			}
		})
	}
}

// testClock is a clock a test moves while servers read it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *testClock) UnixMilli() int64 { return c.Now().UnixMilli() }

// dpServer is a server on a clock the test moves, with group g (stream s) and group d of
// the DELIVERY class.
func dpServer(t *testing.T, cfg Config) (*Server, *testClock) {
	t.Helper()
	clock := &testClock{t: testNow}
	cfg.Now = clock.Now
	s := newTestServer(t, cfg)
	setupStream(t, s, "g", "s")
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "d", "logGroupClass": "DELIVERY"})
	return s, clock
}

// TestDataProtectionPolicyOps: the three operations' answers and errors.
func TestDataProtectionPolicyOps(t *testing.T) {
	s, clock := dpServer(t, Config{})
	doc := dpDoc("", "EmailAddress")
	r := mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": cliDPDoc})
	want := `{"logGroupIdentifier":"g","policyDocument":` + quoteJSON(cliDPDoc) + `,"lastUpdatedTime":` + itoa(nowMs()) + `}`
	if string(r.raw) != want {
		t.Errorf("put:\n got %s\nwant %s", r.raw, want)
	}
	// By ARN, answered with the name (the AWS CLI's get-data-protection-policy example).
	clock.Add(time.Minute)
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": testGroupArn + "g", "policyDocument": doc})
	r = mustOK(t, s, "GetDataProtectionPolicy", m{"logGroupIdentifier": testGroupArn + "g"})
	want = `{"logGroupIdentifier":"g","policyDocument":` + quoteJSON(doc) + `,"lastUpdatedTime":` + itoa(clock.UnixMilli()) + `}`
	if string(r.raw) != want {
		t.Errorf("get:\n got %s\nwant %s", r.raw, want)
	}
	checkAnswer(t, call(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"}), "", "")
	if r := mustOK(t, s, "GetDataProtectionPolicy", m{"logGroupIdentifier": "g"}); string(r.raw) != `{"logGroupIdentifier":"g"}` {
		t.Errorf("get after delete: %s", r.raw)
	}

	tests := []struct {
		name, op string
		in       any
		wantType string
		wantMsg  string
	}{
		{"delete twice", "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"}, codeResourceNotFound, msgDataProtectionNotFound},
		{"missing group", "PutDataProtectionPolicy", m{"logGroupIdentifier": "nope", "policyDocument": doc}, codeResourceNotFound, msgGroupNotFound},
		{"missing group get", "GetDataProtectionPolicy", m{"logGroupIdentifier": "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"missing group delete", "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"ARN of another account", "GetDataProtectionPolicy", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:999999999999:log-group:g"}, codeResourceNotFound, msgGroupNotFound},
		// cloudquery/cloudquery#10216 recorded this answer from live AWS.
		{"ARN with :*", "GetDataProtectionPolicy", m{"logGroupIdentifier": testGroupArn + "g:*"}, codeValidation,
			"1 validation error detected: Value '" + testGroupArn + "g:*' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*"},
		{"no identifier", "PutDataProtectionPolicy", m{"policyDocument": doc}, codeValidation,
			"1 validation error detected: Value null at 'logGroupIdentifier' failed to satisfy constraint: Member must not be null"},
		{"no document", "PutDataProtectionPolicy", m{"logGroupIdentifier": "g"}, codeValidation,
			"1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null"},
		{"bad document", "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "PhoneNumber")}, codeInvalidParameter,
			dpArn + "PhoneNumber is not a valid Data Identifier"},
		{"DELIVERY class", "PutDataProtectionPolicy", m{"logGroupIdentifier": "d", "policyDocument": doc}, codeInvalidParameter, msgDataProtectionDelivery},
		{"missing audit log group", "PutDataProtectionPolicy", m{"logGroupIdentifier": "g",
			"policyDocument": strings.Replace(doc, `"FindingsDestination":{}`, `"FindingsDestination":{"CloudWatchLogs":{"LogGroup":"audit"}}`, 1)},
			codeInvalidParameter, "The audit findings destination log group audit does not exist."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, tc.op, tc.in), tc.wantType, tc.wantMsg)
		})
	}
	// With the audit log group in place, the same document is taken.
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "audit"})
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g",
		"policyDocument": strings.Replace(doc, `"FindingsDestination":{}`, `"FindingsDestination":{"CloudWatchLogs":{"LogGroup":"audit"}}`, 1)})
}

// groupMembers returns DescribeLogGroups' object of group name.
func groupMembers(t *testing.T, s *Server, name string) map[string]any {
	t.Helper()
	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": name})
	for _, g := range list(r.body["logGroups"]) {
		if gm := g.(map[string]any); gm["logGroupName"] == name {
			return gm
		}
	}
	t.Fatalf("no group %s in %s", name, r.raw)
	return nil
}

// TestDataProtectionStatus: DescribeLogGroups' dataProtectionStatus follows the group's own
// policy (ACTIVATED, then DELETED), inheritedProperties the account's (not for DELIVERY
// groups), and DeleteLogGroup takes the group's policy with it.
func TestDataProtectionStatus(t *testing.T) {
	s, _ := dpServer(t, Config{})
	doc := dpDoc("", "EmailAddress")
	state := func(name string) string {
		g := groupMembers(t, s, name)
		st, _ := g["dataProtectionStatus"].(string)
		inh, _ := json.Marshal(g["inheritedProperties"])
		return st + " " + string(inh)
	}
	steps := []struct {
		name    string
		op      string
		in      m
		g, d, h string // the state of g, d and h after the step
	}{
		{"none", "", nil, " null", " null", " null"},
		{"group policy", "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": doc}, "ACTIVATED null", " null", " null"},
		{"account policy", "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection, "policyDocument": doc},
			`ACTIVATED ["ACCOUNT_DATA_PROTECTION"]`, " null", ` ["ACCOUNT_DATA_PROTECTION"]`},
		{"group policy deleted", "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"},
			`DELETED ["ACCOUNT_DATA_PROTECTION"]`, " null", ` ["ACCOUNT_DATA_PROTECTION"]`},
		{"account policy deleted", "DeleteAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection}, "DELETED null", " null", " null"},
	}
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "h", "logGroupClass": "INFREQUENT_ACCESS"})
	for _, st := range steps {
		if st.op != "" {
			mustOK(t, s, st.op, st.in)
		}
		if got := [3]string{state("g"), state("d"), state("h")}; got != [3]string{st.g, st.d, st.h} {
			t.Fatalf("after %s: %q, want %q", st.name, got, [3]string{st.g, st.d, st.h})
		}
	}
	// A group deleted and created again starts with no history.
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": doc})
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	if got := state("g"); got != " null" {
		t.Errorf("recreated group: %q", got)
	}
	var n int
	if err := s.st.r.QueryRow(`SELECT count(*) FROM data_protection_policies WHERE group_id IS NOT NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows left after DeleteLogGroup: %d %v", n, err)
	}
	// A pattern-restricted listing shows none of these members, as it shows no retention.
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": doc})
	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePattern": "g"})
	if strings.Contains(string(r.raw), "dataProtectionStatus") {
		t.Errorf("pattern listing: %s", r.raw)
	}
}

// dpStore is a test's server (dpServer's) on a memory or a disk store.
type dpStore struct {
	t     *testing.T
	s     *Server
	clock *testClock
	cfg   Config
}

// eachDPStore runs f, as a subtest, on a memory store and on a disk store.
func eachDPStore(t *testing.T, f func(t *testing.T, store *dpStore)) {
	for _, dir := range []string{"memory", "disk"} {
		t.Run(dir, func(t *testing.T) {
			store := &dpStore{t: t}
			if dir == "disk" {
				store.cfg.DataDir = t.TempDir()
			}
			store.s, store.clock = dpServer(t, store.cfg)
			f(t, store)
		})
	}
}

// restart shuts a disk store's server down and starts another on its data directory and
// clock; in memory it does nothing.
func (st *dpStore) restart() {
	if st.cfg.DataDir == "" {
		return
	}
	st.s.Shutdown(st.t.Context())
	st.cfg.Now = st.clock.Now
	st.s = newTestServer(st.t, st.cfg)
}

// messagesOf returns the messages of GetLogEvents' or FilterLogEvents' answer r.
func messagesOf(r *response) []string {
	var out []string
	for _, e := range list(r.body["events"]) {
		out = append(out, e.(map[string]any)["message"].(string))
	}
	return out
}

// TestMasking: events are masked by the policies in force when they were ingested — the
// group's and the account's, cumulatively — in GetLogEvents, FilterLogEvents, Logs
// Insights results and GetLogRecord, unless unmask is true; events ingested before a
// policy, or after it ends, read as sent.
func TestMasking(t *testing.T) {
	eachDPStore(t, func(t *testing.T, store *dpStore) {
		s, clock := store.s, store.clock
		put := func(msg string) {
			t.Helper()
			mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": clock.UnixMilli() - 1000, "message": msg}}})
			clock.Add(time.Second)
		}
		put("before a@b.io 10.0.0.1 EMP-123")
		mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress", "CreditCardNumber")})
		put("group a@b.io 10.0.0.1 EMP-123")
		mustOK(t, s, "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection,
			"policyDocument": dpDoc(`[{"Name":"Emp","Regex":"EMP-\\d+"}]`, "IpAddress", "custom:Emp")})
		put("both a@b.io 10.0.0.1 EMP-123")
		mustOK(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
		put("account a@b.io 10.0.0.1 EMP-123")
		mustOK(t, s, "DeleteAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection})
		put("after a@b.io 10.0.0.1 EMP-123")
		masked := []string{
			"before a@b.io 10.0.0.1 EMP-123",
			"group ****** 10.0.0.1 EMP-123",
			"both ****** ******** *******",
			"account a@b.io ******** *******",
			"after a@b.io 10.0.0.1 EMP-123",
		}
		clear := []string{"before", "group", "both", "account", "after"}
		for i := range clear {
			clear[i] += " a@b.io 10.0.0.1 EMP-123"
		}
		store.restart() // a restarted server reads the policies back from the database
		s = store.s
		for _, unmask := range []bool{false, true} {
			want := masked
			if unmask {
				want = clear
			}
			r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true, "unmask": unmask})
			if got := messagesOf(r); !slices.Equal(got, want) {
				t.Errorf("GetLogEvents unmask=%v:\n got %q\nwant %q", unmask, got, want)
			}
			r = mustOK(t, s, "FilterLogEvents", m{"logGroupName": "g", "unmask": unmask})
			if got := messagesOf(r); !slices.Equal(got, want) {
				t.Errorf("FilterLogEvents unmask=%v:\n got %q\nwant %q", unmask, got, want)
			}
		}
		// Without unmask in the request, as most callers send it.
		r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
		if got := messagesOf(r); !slices.Equal(got, masked) {
			t.Errorf("GetLogEvents without unmask: %q", got)
		}
		// Logs Insights reads masked events; GetLogRecord masks its record unless asked not to.
		id := startQuery(t, s, m{"logGroupName": "g", "startTime": testNow.Unix() - 60, "endTime": clock.Now().Unix() + 60,
			"queryString": "fields @message | sort @timestamp asc"})
		qr := waitQuery(t, s, id, nil)
		var got []string
		for _, row := range rowsOf(qr) {
			got = append(got, strings.TrimPrefix(row, "@message="))
		}
		if !slices.Equal(got, masked) {
			t.Errorf("query rows:\n got %q\nwant %q", got, masked)
		}
		ptr := ptrsOf(qr)[2]
		rec := mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptr})
		if msg := rec.body["logRecord"].(map[string]any)["@message"]; msg != masked[2] {
			t.Errorf("GetLogRecord: %v", msg)
		}
		rec = mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptr, "unmask": true})
		if msg := rec.body["logRecord"].(map[string]any)["@message"]; msg != clear[2] {
			t.Errorf("GetLogRecord unmask: %v", msg)
		}
	})
}

// TestMaskingDeliveryClass: an account-level policy leaves DELIVERY groups unmasked.
func TestMaskingDeliveryClass(t *testing.T) {
	s, _ := dpServer(t, Config{})
	mustOK(t, s, "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection, "policyDocument": dpDoc("", "EmailAddress")})
	mustOK(t, s, "CreateLogStream", m{"logGroupName": "d", "logStreamName": "s"})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "d", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs() - 10, "message": "a@b.io"}}})
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "d", "logStreamName": "s"})
	if got := messagesOf(r); !slices.Equal(got, []string{"a@b.io"}) {
		t.Errorf("DELIVERY group: %q", got)
	}
}

// TestDataProtectionConcurrentWrites: concurrent puts and deletes leave the snapshot reads
// use equal to what the database holds (a later commit's snapshot is never replaced by an
// earlier one's).
func TestDataProtectionConcurrentWrites(t *testing.T) {
	s, _ := dpServer(t, Config{})
	for i := range 4 {
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": fmt.Sprintf("c%d", i)})
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				g := fmt.Sprintf("c%d", (w+i)%4)
				if i%3 == 2 {
					call(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": g})
				} else {
					call(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": g, "policyDocument": dpDoc("", "EmailAddress")})
				}
			}
		}()
	}
	wg.Wait()
	want, err := loadDataProtection(t.Context(), s.st.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := s.dataProtection()
	for id, vs := range want.groups {
		if got.status(id) != want.status(id) || len(got.groups[id]) != len(vs) {
			t.Errorf("group %d: snapshot %s (%d versions), database %s (%d)", id, got.status(id), len(got.groups[id]), want.status(id), len(vs))
		}
	}
}

// BenchmarkMask measures masking one 110-byte message per read when a policy is in force
// (EmailAddress, IpAddress and a custom identifier), with nothing to mask and with an
// address of each kind.
func BenchmarkMask(b *testing.B) {
	p, derr := parseDataProtectionPolicy(dpDoc(`[{"Name":"Emp","Regex":"EMP-\\d{4}"}]`, "EmailAddress", "IpAddress", "custom:Emp"), "aws")
	if derr != nil {
		b.Fatal(derr)
	}
	gm := &groupMasker{versions: []dpVersion{{from: 0, to: 1 << 62, finders: p.finders()}}}
	for _, msg := range []struct{ name, msg string }{
		{"clear", "2025-06-01T00:00:00Z INFO  request id=00001234 stream=007 path=/api/v1/items status=200 bytes=008638"},
		{"masked", "2025-06-01T00:00:00Z INFO  user=jane@example.com from 10.0.12.7 EMP-1234 path=/api/v1/items status=200"},
	} {
		b.Run(msg.name, func(b *testing.B) {
			b.SetBytes(int64(len(msg.msg)))
			b.ReportAllocs()
			for b.Loop() {
				gm.mask(msg.msg, 1)
			}
		})
	}
}

// BenchmarkPutDataProtectionPolicy measures PutDataProtectionPolicy (which holds the writer
// lock while it reads every policy version back for the snapshot) with 1,000 groups
// having a policy.
func BenchmarkPutDataProtectionPolicy(b *testing.B) {
	s := newTestServer(b, Config{DataDir: b.TempDir()})
	doc := dpDoc(`[{"Name":"Emp","Regex":"EMP-\\d+"}]`, "EmailAddress", "IpAddress", "custom:Emp")
	for i := range 1000 {
		g := fmt.Sprintf("g%04d", i)
		mustOK(b, s, "CreateLogGroup", m{"logGroupName": g})
		mustOK(b, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": g, "policyDocument": doc})
	}
	in := m{"logGroupIdentifier": "g0500", "policyDocument": doc}
	b.ReportAllocs()
	for b.Loop() {
		mustOK(b, s, "PutDataProtectionPolicy", in)
	}
}
