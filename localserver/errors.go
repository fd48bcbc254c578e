package localserver

import (
	"fmt"
	"net/http"
)

// Error codes the server answers with (the "__type" of the error body).
const (
	codeInvalidParameter       = "InvalidParameterException"
	codeResourceNotFound       = "ResourceNotFoundException"
	codeResourceAlreadyExists  = "ResourceAlreadyExistsException"
	codeValidation             = "ValidationException"
	codeTooManyTags            = "TooManyTagsException"
	codeUnknownOperation       = "UnknownOperationException"
	codeSerialization          = "SerializationException"
	codeServiceUnavailable     = "ServiceUnavailableException"
	codeRequestEntityTooLarge  = "RequestEntityTooLargeException"
	codeMissingAuthentication  = "MissingAuthenticationTokenException"
	codeLimitExceeded          = "LimitExceededException"
	codeAccessDenied           = "AccessDeniedException"
	codeOperationAborted       = "OperationAbortedException"
	msgGroupNotFound           = "The specified log group does not exist."
	msgStreamNotFound          = "The specified log stream does not exist."
	msgGroupExists             = "The specified log group already exists"
	msgStreamExists            = "The specified log stream already exists"
	msgInvalidNextToken        = "The specified nextToken is invalid."
	msgChronological           = "Log events in a single PutLogEvents request must be in chronological order."
	msgSpan24h                 = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
	msgNameIdentifierExclusive = "LogGroup name and LogGroup ARN are mutually exclusive parameters."
	msgPrefixPatternExclusive  = "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
	msgOrderByLastEventPrefix  = "Cannot order by LastEventTime with a logStreamNamePrefix."
	// msgDeletionProtected answers DeleteLogGroup for a protected group (ValidationException,
	// per the user guide's "Protecting log groups from deletion").
	msgDeletionProtected = "Cannot delete log group with deletion protection enabled. Disable deletion protection first."
	// msgIdentifiersExclusive answers DescribeLogGroups with logGroupIdentifiers and another
	// filter, which the API reference forbids ("the only other filter that you can choose to
	// specify is includeLinkedAccounts"); the wording is ours, AWS's is not on record.
	msgIdentifiersExclusive = "logGroupIdentifiers cannot be combined with logGroupNamePrefix, logGroupNamePattern or logGroupClass."
	// msgReservedPrefix answers CreateLogGroup for a name starting with "aws/" in any case
	// (recorded from live AWS for "aws/cwagent"; "/aws/..." names are not reserved).
	msgReservedPrefix = "Log groups starting with AWS/ are reserved for AWS."

	// Metric and subscription filters. Recorded from live AWS: the limit message (a third
	// subscription filter; LocalStack's AWS-validated snapshot and many user reports), the
	// missing subscription filter, the pattern errors as CloudFormation and the Serverless
	// Framework relayed them (aws/aws-cdk#16278, newrelic/serverless-newrelic-lambda-layers#36),
	// the dimension errors (hashicorp/terraform-provider-aws#28881; a CloudFormation
	// deployment in aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#632),
	// the over-long group name of DeleteMetricFilter and the Kinesis destination without a
	// role (LocalStack's AWS-validated snapshots). The missing metric filter mirrors the
	// subscription one; the metric value and dimension-count wordings are ours.
	msgLimitExceeded              = "Resource limit exceeded."
	msgMetricFilterNotFound       = "The specified metric filter does not exist."
	msgSubscriptionNotFound       = "The specified subscription filter does not exist."
	msgInvalidMetricPattern       = "Invalid metric filter pattern"
	msgInvalidSubscriptionPattern = "Invalid subscription filter pattern"
	msgDimensionsNotSupported     = "The specified filter pattern does not support dimensions"
	msgDimensionsAndDefault       = "Invalid metric transformation: dimensions and default value are mutually exclusive properties"
	msgTooManyDimensions          = "Invalid metric transformation: a metric filter can have at most 3 dimensions"
	msgGroupOrStreamTooLong       = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
	msgCrossAccountLambda         = "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers."

	// AssociateKmsKey and DisassociateKmsKey. msgKmsKeyNotFound (formatted with the log
	// group's name) is recorded from live AWS for a key id given instead of a key ARN
	// (hashicorp/terraform-provider-aws#25258, aws-samples/hub-and-spoke-with-inspection-vpc-terraform#2:
	// "The specified KMS Key Id could not be found. '/aws/network-firewall/alerts'"). The
	// exactly-one-of and identifier wordings are ours: AWS's are not on record.
	msgKmsKeyNotFound     = "The specified KMS Key Id could not be found. '%s'"
	msgKmsTargetExclusive = "logGroupName and resourceIdentifier are mutually exclusive parameters."
	msgKmsTargetMissing   = "Either logGroupName or resourceIdentifier must be specified."
	msgKmsBadIdentifier   = "The specified resourceIdentifier %s is neither a log group ARN nor the query-result ARN of this account."

	// Resource policies. msgPolicyNotFound (formatted with the policy name) is recorded
	// from live AWS (LocalStack's AWS-validated test_delete_resource_policy_not_found:
	// "Policy with name [non-existent] does not exist."); the limit answer is
	// msgLimitExceeded, recorded likewise. The other wordings are ours.
	msgPolicyNotFound         = "Policy with name [%s] does not exist."
	msgResourcePolicyNotFound = "Policy for resource [%s] does not exist."
	msgPolicyTargetExclusive  = "policyName and resourceArn are mutually exclusive parameters."
	msgPolicyTargetMissing    = "Either policyName or resourceArn must be specified."
	msgPolicyBadResourceArn   = "The specified resource ARN %s is not a valid log group ARN."
	msgPolicyNotJSON          = "The policy document is not a valid JSON object."
	msgRevisionConflict       = "The expectedRevisionId does not match the current revision of the resource policy."
	msgRevisionRequired       = "expectedRevisionId is required for a resource-scoped policy."
)

// apiError is an AWS-shaped error answer: HTTP status, __type and message.
type apiError struct {
	Status  int
	Code    string
	Message string
	// ResourceName is set for TooManyTagsException.
	ResourceName string
	// Members, when set, are further members of the error body, as JSON object members
	// without the braces (MalformedQueryException's "queryCompileError":{…}).
	Members []byte
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func clientErr(code, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: msg}
}

func invalidParam(format string, args ...any) *apiError {
	return clientErr(codeInvalidParameter, fmt.Sprintf(format, args...))
}

func groupNotFound() *apiError  { return clientErr(codeResourceNotFound, msgGroupNotFound) }
func streamNotFound() *apiError { return clientErr(codeResourceNotFound, msgStreamNotFound) }
func badToken() *apiError       { return clientErr(codeInvalidParameter, msgInvalidNextToken) }

// internalErr hides a storage failure behind ServiceUnavailableException (HTTP 500, retried by
// SDKs), as the service does.
func internalErr() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: codeServiceUnavailable,
		Message: "The service cannot complete the request."}
}

func (e *apiError) body() []byte {
	b := make([]byte, 0, 64+len(e.Message))
	b = append(b, `{"__type":`...)
	b = appendJSONString(b, e.Code)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, e.Message)
	if e.ResourceName != "" {
		b = append(b, `,"resourceName":`...)
		b = appendJSONString(b, e.ResourceName)
	}
	if len(e.Members) > 0 {
		b = append(b, ',')
		b = append(b, e.Members...)
	}
	return append(b, '}')
}
