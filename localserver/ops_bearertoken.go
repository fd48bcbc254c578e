package localserver

import (
	"context"
	"database/sql"
)

// PutBearerTokenAuthentication turns a log group's bearer token authentication on or off
// (botocore's PutBearerTokenAuthenticationRequest: logGroupIdentifier, a name or ARN,
// and bearerTokenAuthenticationEnabled, both required; an empty answer). The flag is
// stored with the group and shown by DescribeLogGroups as the LogGroup member
// bearerTokenAuthenticationEnabled, present when true as deletionProtectionEnabled is
// (ListLogGroups' LogGroupSummary has no such member). A missing group is
// ResourceNotFoundException.
//
// In the service the flag lets the group receive events from the HTTP ingestion
// endpoints with an API key ("Enable bearer token authentication on the log group",
// the user guide's "Setting up bearer token authentication"); this server serves no
// HTTP ingestion endpoint and issues no API key, so the flag changes nothing else here.
//
// The model lists InvalidOperationException, without saying when. Ours: a group of the
// DELIVERY class is refused with it, as its data protection policy is, since such a group
// receives only the deliveries of vended logs ("Use the Delivery log class only for
// delivering Lambda logs", the model's LogGroup.logGroupClass). Turning it off is
// always accepted.

const msgBearerTokenDelivery = "Bearer token authentication is not supported for log groups in the DELIVERY log class."

type bearerTokenIn struct {
	LogGroupIdentifier               *string `json:"logGroupIdentifier"`
	BearerTokenAuthenticationEnabled *bool   `json:"bearerTokenAuthenticationEnabled"`
}

func (s *Server) putBearerTokenAuthentication(rc *reqCtx) ([]byte, *apiError) {
	var in bearerTokenIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	if v.required(in.LogGroupIdentifier != nil, "logGroupIdentifier") {
		v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	}
	v.required(in.BearerTokenAuthenticationEnabled != nil, "bearerTokenAuthenticationEnabled")
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.resolveGroupRef(nil, in.LogGroupIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	enable := *in.BearerTokenAuthenticationEnabled
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if enable && g.class == "DELIVERY" {
			return clientErr(codeInvalidOperation, msgBearerTokenDelivery)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET bearer_token_auth = ? WHERE id = ?`, enable, g.id); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}
