package localserver

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// The data protection policy document (PutDataProtectionPolicy's policyDocument, and
// PutAccountPolicy's for DATA_PROTECTION_POLICY), checked as the API reference and the
// user guide describe it:
//
//   - "The JSON specified in policyDocument can be up to 30,720 characters" (the model's
//     documentation of both operations; the user guide: "The limit for a data protection
//     policy is 30,720 characters"). Characters are counted as Unicode code points.
//   - Name, Description, Version, Statement and Configuration members. The user guide
//     ("Understanding data protection policies") says a policy requires Name and Version,
//     "The current version is 2021-06-01"; the API reference says the document "can also
//     include Name, Description, and Version". Name and Version are required here, Version
//     must be 2021-06-01, and Name may hold only letters, digits, '-' and '_': live AWS
//     refused a name with spaces with "Policy Name can only include alphanumeric
//     characters, hyphens (-) and underscores (_)" (relayed by CloudFormation,
//     aws/aws-cdk#33557).
//   - Statement "must include two JSON blocks": the first with a DataIdentifier array and an
//     Operation with an Audit action, which "must contain a FindingsDestination object"
//     (CloudWatchLogs.LogGroup, Firehose.DeliveryStream, S3.Bucket, which "must already
//     exist": the caller checks the log groups, this server has no S3 or Firehose); the
//     second with a DataIdentifier array that "must exactly match" the first's and an
//     Operation with a Deidentify action holding "MaskConfig": {}, which "must be empty".
//     Terraform's aws_cloudwatch_log_data_protection_policy_document refuses any other
//     order ("the first policy statement must contain only the audit operation").
//   - DataIdentifier entries are managed data identifier ARNs,
//     arn:PARTITION:dataprotection::aws:data-identifier/NAME, of the names of
//     managedDataIdentifiers, or names of custom data identifiers. Anything else is
//     "ARN is not a valid Data Identifier": live AWS answered
//     "arn:aws:dataprotection::aws:data-identifier/PhoneNumber is not a valid Data
//     Identifier" (InvalidParameterException, aws/aws-cdk#27388, by a CloudWatch Logs
//     engineer).
//   - Configuration.CustomDataIdentifier (the user guide's "Custom data identifiers"): at
//     most 10 a policy, names of at most 128 letters, digits, '_' and '-' that are not a
//     managed identifier's name, regular expressions of at most 200 characters from the
//     documented set (letters, digits, "_#=@/;,- " and "^$?[]{}|\*+."). Go's regexp
//     compiles them (the documented set has no group, lookaround or backreference syntax,
//     so Go's RE2 reads them as the service's Java-style engine does); one that compiles
//     to more than 300 instructions is refused (ours: see maxCustomIdentifierProg).
//
// Member names are matched without regard to case (encoding/json's rule): CDK's
// DataProtectionPolicy builds camelCase statements ("dataIdentifier", "operation") that
// its CloudFormation resource sends; whether AWS's own parser ignores case is not on
// record. Every refusal is InvalidParameterException; the wordings other than the two
// recorded above are ours.

// maxDataProtectionChars is the documented size limit of a data protection policy.
const maxDataProtectionChars = 30720

// dataProtectionVersion is the only policy language version ("The current version is
// 2021-06-01").
const dataProtectionVersion = "2021-06-01"

// Custom data identifier limits (the user guide's "Custom data identifier constraints"),
// and maxCustomIdentifierProg, ours: the compiled size of one identifier's regular
// expression (filterpattern.RegexProgSize). Events are masked at each read here, in time
// proportional to their length times that size at worst (Go's regexp is linear in the
// input, with this factor), and the 200 characters allow counted repetitions that
// compile to 25,000 instructions (\w{1000} written 25 times): reading one 64 KB event
// took 25 s. The bound is the one filter pattern regexes have (filterpattern.MaxRegexProg,
// for the same reason); realistic identifiers are far below it
// (EmployeeID-\d{9}: 22, [A-Za-z0-9/+=]{40}: 42).
const (
	maxCustomIdentifiers    = 10
	maxCustomIdentifierName = 128
	maxCustomIdentifierRe   = 200
	maxCustomIdentifierProg = filterpattern.MaxRegexProg
)

var (
	dpNameRE           = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	customIDNameRE     = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	customIDRegexChars = regexp.MustCompile(`^[A-Za-z0-9_#=@/;,\- ^$?\[\]{}|\\*+.]*$`)
)

// managedDataIdentifiers are the names of the managed data identifiers: the user guide's
// "Types of data that you can protect" tables, as aws-cdk-lib's aws-logs DataIdentifier
// lists them (without PhoneNumber, which AWS refuses: aws/aws-cdk#27388), and DateOfBirth
// from the user guide's personally identifiable information table.
var managedDataIdentifiers = func() map[string]bool {
	names := []string{
		"Address", "AwsSecretKey", "CreditCardExpiration", "CreditCardNumber", "CreditCardSecurityCode",
		"DateOfBirth", "EmailAddress", "IpAddress", "LatLong", "Name", "OpenSshPrivateKey", "PgpPrivateKey",
		"PkcsPrivateKey", "PuttyPrivateKey", "VehicleIdentificationNumber",
		"CepCode-BR", "Cnpj-BR", "CpfCode-BR", "RgNumber-BR", "PhoneNumber-BR",
		"DrugEnforcementAgencyNumber-US", "HealthcareProcedureCode-US", "HealthInsuranceClaimNumber-US",
		"IndividualTaxIdentificationNumber-US", "MedicareBeneficiaryNumber-US", "NationalDrugCode-US",
		"NationalProviderId-US", "PassportNumber-US", "PhoneNumber-US", "Ssn-US", "ZipCode-US",
		"ElectoralRollNumber-GB", "NationalInsuranceNumber-GB", "NhsNumber-GB", "PassportNumber-GB",
		"PhoneNumber-GB", "TaxId-GB", "HealthInsuranceCardNumber-EU", "HealthInsuranceNumber-FR",
		"InseeCode-FR", "PassportNumber-FR", "PhoneNumber-FR", "TaxId-FR", "NationalIdentificationNumber-DE",
		"PassportNumber-DE", "PhoneNumber-DE", "TaxId-DE", "NationalIdentificationNumber-ES", "NieNumber-ES",
		"NifNumber-ES", "PassportNumber-ES", "PhoneNumber-ES", "Ssn-ES", "TaxId-ES",
		"NationalIdentificationNumber-IT", "PassportNumber-IT", "PhoneNumber-IT", "PassportNumber-CA",
		"PermanentResidenceNumber-CA", "PersonalHealthNumber-CA", "PostalCode-CA", "SocialInsuranceNumber-CA",
	}
	for _, c := range []string{"DE", "ES", "FR", "GB", "IT", "US"} {
		names = append(names, "BankAccountNumber-"+c)
	}
	for _, c := range []string{"AT", "AU", "BE", "BG", "CA", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
		"GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "US"} {
		names = append(names, "DriversLicense-"+c)
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}()

// dpPolicy is a checked data protection policy: the identifiers its Deidentify statement
// masks and the log groups its Audit statement sends findings to.
type dpPolicy struct {
	managed     []string           // managed identifier names, in the statement's order
	custom      []customIdentifier // the custom identifiers the statement names
	auditGroups []string           // FindingsDestination.CloudWatchLogs.LogGroup
}

// customIdentifier is one of Configuration.CustomDataIdentifier.
type customIdentifier struct {
	name string
	re   *regexp.Regexp
}

// policyDocError is a refused policy document or selection criterion; its text is the
// InvalidParameterException's message.
type policyDocError struct{ msg string }

func (e *policyDocError) Error() string { return e.msg }

func policyErrorf(format string, args ...any) *policyDocError {
	return &policyDocError{msg: fmt.Sprintf(format, args...)}
}

type dpDocIn struct {
	Name          *string          `json:"Name"`
	Version       *string          `json:"Version"`
	Statement     *[]dpStatementIn `json:"Statement"`
	Configuration *struct {
		CustomDataIdentifier *[]struct {
			Name  *string `json:"Name"`
			Regex *string `json:"Regex"`
		} `json:"CustomDataIdentifier"`
	} `json:"Configuration"`
}

type dpStatementIn struct {
	DataIdentifier *[]string `json:"DataIdentifier"`
	Operation      *struct {
		Audit *struct {
			FindingsDestination *struct {
				CloudWatchLogs *struct {
					LogGroup *string `json:"LogGroup"`
				} `json:"CloudWatchLogs"`
				Firehose *struct {
					DeliveryStream *string `json:"DeliveryStream"`
				} `json:"Firehose"`
				S3 *struct {
					Bucket *string `json:"Bucket"`
				} `json:"S3"`
			} `json:"FindingsDestination"`
		} `json:"Audit"`
		Deidentify *struct {
			MaskConfig *map[string]json.RawMessage `json:"MaskConfig"`
		} `json:"Deidentify"`
	} `json:"Operation"`
}

// parseDataProtectionPolicy checks doc (see above) and returns what it masks. A managed
// identifier's ARN must be in partition, unless partition is "" (a stored policy, checked
// when it was put).
func parseDataProtectionPolicy(doc, partition string) (*dpPolicy, *policyDocError) {
	if n := utf8.RuneCountInString(doc); n > maxDataProtectionChars {
		return nil, policyErrorf("The data protection policy document has %d characters; it can be up to %d.", n, maxDataProtectionChars)
	}
	if !isJSONObject(doc) {
		return nil, policyErrorf("The data protection policy document is not a valid JSON object.")
	}
	var in dpDocIn
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		return nil, policyErrorf("The data protection policy document is malformed: %s", jsonProblem(err))
	}
	switch {
	case in.Name == nil:
		return nil, policyErrorf("The data protection policy document must have a Name.")
	case !dpNameRE.MatchString(*in.Name):
		return nil, policyErrorf("Policy Name can only include alphanumeric characters, hyphens (-) and underscores (_)")
	case in.Version == nil || *in.Version != dataProtectionVersion:
		return nil, policyErrorf("The data protection policy document must have Version %q.", dataProtectionVersion)
	}
	custom, derr := customIdentifiers(in)
	if derr != nil {
		return nil, derr
	}
	if in.Statement == nil || len(*in.Statement) != 2 {
		return nil, policyErrorf("A data protection policy must have two statements: the first with the Audit operation, the second with the Deidentify operation.")
	}
	audit, deid := &(*in.Statement)[0], &(*in.Statement)[1]
	for i, st := range []*dpStatementIn{audit, deid} {
		if st.DataIdentifier == nil || len(*st.DataIdentifier) == 0 {
			return nil, policyErrorf("Statement %d of the data protection policy must have a non-empty DataIdentifier array.", i+1)
		}
	}
	if op := audit.Operation; op == nil || op.Audit == nil || op.Deidentify != nil {
		return nil, policyErrorf("The first statement of a data protection policy must have an Operation with the Audit action only.")
	}
	if op := deid.Operation; op == nil || op.Deidentify == nil || op.Audit != nil {
		return nil, policyErrorf("The second statement of a data protection policy must have an Operation with the Deidentify action only.")
	}
	fd := audit.Operation.Audit.FindingsDestination
	if fd == nil {
		return nil, policyErrorf("The Audit operation of a data protection policy must have a FindingsDestination object.")
	}
	if mc := deid.Operation.Deidentify.MaskConfig; mc == nil || len(*mc) > 0 {
		return nil, policyErrorf("The Deidentify operation of a data protection policy must have an empty MaskConfig object.")
	}
	if a, d := *audit.DataIdentifier, *deid.DataIdentifier; !containsAll(a, d) || !containsAll(d, a) { // the same set
		return nil, policyErrorf("The DataIdentifier arrays of the Audit and Deidentify statements must match exactly.")
	}
	p := &dpPolicy{}
	if fd.CloudWatchLogs != nil {
		if fd.CloudWatchLogs.LogGroup == nil || *fd.CloudWatchLogs.LogGroup == "" {
			return nil, policyErrorf("FindingsDestination.CloudWatchLogs must name a LogGroup.")
		}
		p.auditGroups = append(p.auditGroups, *fd.CloudWatchLogs.LogGroup)
	}
	if fd.Firehose != nil && (fd.Firehose.DeliveryStream == nil || *fd.Firehose.DeliveryStream == "") {
		return nil, policyErrorf("FindingsDestination.Firehose must name a DeliveryStream.")
	}
	if fd.S3 != nil && (fd.S3.Bucket == nil || *fd.S3.Bucket == "") {
		return nil, policyErrorf("FindingsDestination.S3 must name a Bucket.")
	}
	for _, id := range *deid.DataIdentifier {
		if name, ok := managedIdentifier(id, partition); ok {
			if !slices.Contains(p.managed, name) {
				p.managed = append(p.managed, name)
			}
			continue
		}
		i := slices.IndexFunc(custom, func(c customIdentifier) bool { return c.name == id })
		if i < 0 {
			return nil, policyErrorf("%s is not a valid Data Identifier", id)
		}
		if !slices.ContainsFunc(p.custom, func(c customIdentifier) bool { return c.name == id }) {
			p.custom = append(p.custom, custom[i])
		}
	}
	return p, nil
}

// customIdentifiers checks and compiles Configuration.CustomDataIdentifier.
func customIdentifiers(in dpDocIn) ([]customIdentifier, *policyDocError) {
	if in.Configuration == nil || in.Configuration.CustomDataIdentifier == nil {
		return nil, nil
	}
	list := *in.Configuration.CustomDataIdentifier
	if len(list) > maxCustomIdentifiers {
		return nil, policyErrorf("A data protection policy can have at most %d custom data identifiers; it has %d.", maxCustomIdentifiers, len(list))
	}
	out := make([]customIdentifier, 0, len(list))
	for _, c := range list {
		switch {
		case c.Name == nil || c.Regex == nil:
			return nil, policyErrorf("A custom data identifier must have a Name and a Regex.")
		case utf8.RuneCountInString(*c.Name) > maxCustomIdentifierName || !customIDNameRE.MatchString(*c.Name):
			return nil, policyErrorf("Custom data identifier name %q must be 1 to %d letters, digits, '_' or '-'.", *c.Name, maxCustomIdentifierName)
		case managedDataIdentifiers[*c.Name]:
			return nil, policyErrorf("Custom data identifier %q has the name of a managed data identifier.", *c.Name)
		case slices.ContainsFunc(out, func(o customIdentifier) bool { return o.name == *c.Name }):
			return nil, policyErrorf("Custom data identifier %q is defined twice.", *c.Name)
		case *c.Regex == "" || utf8.RuneCountInString(*c.Regex) > maxCustomIdentifierRe:
			return nil, policyErrorf("The Regex of custom data identifier %q must have 1 to %d characters.", *c.Name, maxCustomIdentifierRe)
		case !customIDRegexChars.MatchString(*c.Regex):
			return nil, policyErrorf("The Regex of custom data identifier %q has a character that is not supported.", *c.Name)
		}
		re, err := regexp.Compile(*c.Regex)
		if err != nil {
			return nil, policyErrorf("The Regex of custom data identifier %q is not a valid regular expression.", *c.Name)
		}
		if n := filterpattern.RegexProgSize(*c.Regex); n > maxCustomIdentifierProg {
			return nil, policyErrorf("The Regex of custom data identifier %q is too complex (%d instructions, at most %d): use smaller repetition counts.", *c.Name, n, maxCustomIdentifierProg)
		}
		out = append(out, customIdentifier{name: *c.Name, re: re})
	}
	return out, nil
}

// managedIdentifier returns the name of managed data identifier ARN id,
// arn:PARTITION:dataprotection::aws:data-identifier/NAME (partition "" accepts any).
func managedIdentifier(id, partition string) (string, bool) {
	rest, ok := strings.CutPrefix(id, "arn:")
	if !ok {
		return "", false
	}
	part, rest, ok := strings.Cut(rest, ":")
	if !ok || part == "" || (partition != "" && part != partition) {
		return "", false
	}
	name, ok := strings.CutPrefix(rest, "dataprotection::aws:data-identifier/")
	if !ok || !managedDataIdentifiers[name] {
		return "", false
	}
	return name, true
}

// jsonProblem describes a json.Unmarshal error without Go type names.
func jsonProblem(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		if te.Field != "" {
			return fmt.Sprintf("member %s cannot be a JSON %s.", te.Field, te.Value)
		}
		return fmt.Sprintf("unexpected JSON %s.", te.Value)
	}
	return "not valid JSON."
}
