package localserver

import (
	"regexp"
	"strings"
)

// AssociateKmsKey and DisassociateKmsKey change a log group's kmsKeyId (stored since
// CreateLogGroup, shown by DescribeLogGroups). No event is encrypted: the server has no KMS
// to call, so a key is checked for its form only, never for existence, state or key policy.
//
// The target is exactly one of logGroupName and resourceIdentifier (the operations'
// documentation: "you specify either the logGroupName parameter or the resourceIdentifier
// parameter. You can't specify both"). A resourceIdentifier is one of the two ARN forms the
// model's ResourceIdentifier documents: a log group's
// (arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME), which acts on that group as
// logGroupName does, or the account's query results
// (arn:PARTITION:logs:REGION:ACCOUNT:query-result:*), which sets the key of future
// StartQuery results. The server runs no queries and no operation reads that key back, so a
// well-formed query-result identifier of the server's account is answered {} as AWS answers
// it, and nothing is stored; any other identifier is refused (InvalidParameterException).

type kmsKeyIn struct {
	LogGroupName       *string `json:"logGroupName"`
	KmsKeyID           *string `json:"kmsKeyId"`
	ResourceIdentifier *string `json:"resourceIdentifier"`
}

// kmsTarget is what a kmsKeyIn names: a log group, or the account's query results.
type kmsTarget struct {
	group       string // "" for the query results
	queryResult bool
}

// kmsKeyArnRE is the ARN of a KMS key (or alias): the model's KmsKeyId documentation asks
// for "The Amazon Resource Name (ARN) of the KMS key". Live AWS answers a bare key id
// "The specified KMS Key Id could not be found." (see msgKmsKeyNotFound); whether it also
// refuses an alias ARN is not on record, so one is accepted.
var kmsKeyArnRE = regexp.MustCompile(`^arn:[a-z0-9-]+:kms:[a-z0-9-]*:\d{12}:(key|alias)/.+$`)

// resolveKmsTarget checks the exactly-one-of rule and resolves the target. A missing log
// group is ResourceNotFoundException "The specified log group does not exist." (the model
// lists ResourceNotFoundException for both operations), found later by the update.
func (s *Server) resolveKmsTarget(in *kmsKeyIn) (kmsTarget, *apiError) {
	switch {
	case in.LogGroupName != nil && in.ResourceIdentifier != nil:
		return kmsTarget{}, invalidParam("%s", msgKmsTargetExclusive)
	case in.LogGroupName != nil:
		return kmsTarget{group: *in.LogGroupName}, nil
	case in.ResourceIdentifier == nil:
		return kmsTarget{}, invalidParam("%s", msgKmsTargetMissing)
	}
	id := *in.ResourceIdentifier
	parts := strings.SplitN(id, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "logs" || parts[3] == "" {
		return kmsTarget{}, invalidParam(msgKmsBadIdentifier, id)
	}
	switch res := parts[5]; {
	case strings.HasPrefix(res, "log-group:"):
		// Another account's group, or a malformed name, is not a group of this server.
		name, ok := s.parseGroupArn(id)
		if !ok {
			return kmsTarget{}, groupNotFound()
		}
		return kmsTarget{group: name}, nil
	case res == "query-result:*" && parts[4] == s.cfg.AccountID:
		return kmsTarget{queryResult: true}, nil
	}
	return kmsTarget{}, invalidParam(msgKmsBadIdentifier, id)
}

func (v *verrs) kmsTargetMembers(in *kmsKeyIn) {
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.ResourceIdentifier, "resourceIdentifier", shResourceIdentifier)
}

func (s *Server) associateKmsKey(rc *reqCtx) ([]byte, *apiError) {
	var in kmsKeyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.kmsTargetMembers(&in)
	v.required(in.KmsKeyID != nil, "kmsKeyId")
	v.str(in.KmsKeyID, "kmsKeyId", shKmsKeyID)
	if e := v.err(); e != nil {
		return nil, e
	}
	t, aerr := s.resolveKmsTarget(&in)
	if aerr != nil {
		return nil, aerr
	}
	key := *in.KmsKeyID
	if t.queryResult {
		if !kmsKeyArnRE.MatchString(key) {
			return nil, invalidParam(msgKmsKeyNotFound, *in.ResourceIdentifier)
		}
		return nil, nil
	}
	if !kmsKeyArnRE.MatchString(key) {
		// The group's existence is checked first: AWS names the group in this message.
		if _, aerr := s.findGroup(rc.ctx, s.st.r, t.group); aerr != nil {
			return nil, aerr
		}
		return nil, invalidParam(msgKmsKeyNotFound, t.group)
	}
	// Associating the key a group already has succeeds (idempotent), as live AWS does.
	return nil, s.updateGroup(t.group, "kms_key_id", key)
}

func (s *Server) disassociateKmsKey(rc *reqCtx) ([]byte, *apiError) {
	// kmsKeyId is not a member of DisassociateKmsKeyRequest: one sent is ignored, as every
	// unknown member is.
	var d struct {
		LogGroupName       *string `json:"logGroupName"`
		ResourceIdentifier *string `json:"resourceIdentifier"`
	}
	if e := decodeJSON(rc.body, &d); e != nil {
		return nil, e
	}
	in := kmsKeyIn{LogGroupName: d.LogGroupName, ResourceIdentifier: d.ResourceIdentifier}
	var v verrs
	v.kmsTargetMembers(&in)
	if e := v.err(); e != nil {
		return nil, e
	}
	t, aerr := s.resolveKmsTarget(&in)
	if aerr != nil || t.queryResult {
		return nil, aerr
	}
	// A group without a key: success, as live AWS answers.
	return nil, s.updateGroup(t.group, "kms_key_id", nil)
}
