package localserver

import (
	"context"
	"database/sql"
	"slices"
	"strings"
)

// write runs fn in a transaction on the single writer connection; writes are serialized.
func (s *Server) write(fn func(tx *sql.Tx) *apiError) *apiError { return s.writeThen(fn, nil) }

// writeThen is write, and runs committed (when not nil) once the transaction has
// committed, still under the writer lock: before any later write commits.
func (s *Server) writeThen(fn func(tx *sql.Tx) *apiError, committed func()) *apiError {
	s.st.wmu.Lock()
	defer s.st.wmu.Unlock()
	tx, err := s.st.w.BeginTx(context.Background(), nil)
	if err != nil {
		return s.dbErr(err)
	}
	if aerr := fn(tx); aerr != nil {
		tx.Rollback()
		s.st.abortedWrite()
		return aerr
	}
	if err := tx.Commit(); err != nil {
		s.st.abortedWrite()
		return s.dbErr(err)
	}
	s.st.committedWrite()
	if committed != nil {
		committed()
	}
	s.st.committed(8 * 4120) // about eight pages per commit (see commitPutsTx)
	return nil
}

func (s *Server) dbErr(err error) *apiError {
	s.cfg.Logger.Error("storage error", "err", err)
	return internalErr()
}

type createLogGroupIn struct {
	LogGroupName              *string            `json:"logGroupName"`
	KmsKeyID                  *string            `json:"kmsKeyId"`
	Tags                      *map[string]string `json:"tags"`
	LogGroupClass             *string            `json:"logGroupClass"`
	DeletionProtectionEnabled *bool              `json:"deletionProtectionEnabled"`
}

func (s *Server) createLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in createLogGroupIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.KmsKeyID, "kmsKeyId", shKmsKeyID)
	v.tags(in.Tags, "tags")
	v.enum(in.LogGroupClass, "logGroupClass", logGroupClasses)
	if e := v.err(); e != nil {
		return nil, e
	}
	if n := *in.LogGroupName; len(n) >= 4 && strings.EqualFold(n[:4], "aws/") {
		return nil, invalidParam("%s", msgReservedPrefix)
	}
	if in.KmsKeyID != nil && *in.KmsKeyID != "" && !kmsKeyArnRE.MatchString(*in.KmsKeyID) {
		return nil, invalidParam(msgKmsKeyNotFound, *in.LogGroupName) // as AssociateKmsKey
	}
	class := "STANDARD"
	if in.LogGroupClass != nil {
		class = *in.LogGroupClass
	}
	var retention any
	if class == "DELIVERY" {
		retention = 1 // DELIVERY log groups keep events for one day
	}
	var kms any
	if in.KmsKeyID != nil && *in.KmsKeyID != "" {
		kms = *in.KmsKeyID
	}
	dp := in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, err := groupByName(ctx, tx, *in.LogGroupName)
		if err != nil {
			return s.dbErr(err)
		}
		if g != nil {
			return clientErr(codeResourceAlreadyExists, msgGroupExists)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO log_groups(name, creation_time, retention_days, kms_key_id, class, deletion_protection) VALUES (?,?,?,?,?,?)`,
			*in.LogGroupName, rc.now.UnixMilli(), retention, kms, class, dp)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			id, _ := res.LastInsertId()
			for k, val := range *in.Tags {
				if _, err := tx.ExecContext(ctx, `INSERT INTO group_tags(group_id, key, value) VALUES (?,?,?)`, id, k, val); err != nil {
					return s.dbErr(err)
				}
			}
		}
		return nil
	})
}

type logGroupNameIn struct {
	LogGroupName *string `json:"logGroupName"`
}

func (in *logGroupNameIn) validate() *apiError {
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	return v.err()
}

func (s *Server) deleteLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in logGroupNameIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, *in.LogGroupName)
		if aerr != nil {
			return aerr
		}
		if g.deletionProtection {
			return clientErr(codeValidation, msgDeletionProtected)
		}
		if _, err := s.st.dropChunks(ctx, tx, `group_id = ?`, g.id); err != nil {
			return s.dbErr(err)
		}
		for _, q := range []string{
			`DELETE FROM log_streams WHERE group_id = ?`,
			`DELETE FROM group_tags WHERE group_id = ?`,
			`DELETE FROM metric_filters WHERE group_id = ?`,
			`DELETE FROM subscription_filters WHERE group_id = ?`,
			`DELETE FROM log_groups WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, g.id); err != nil {
				return s.dbErr(err)
			}
		}
		return nil
	})
}

type describeLogGroupsIn struct {
	AccountIdentifiers    *[]string `json:"accountIdentifiers"`
	LogGroupNamePrefix    *string   `json:"logGroupNamePrefix"`
	LogGroupNamePattern   *string   `json:"logGroupNamePattern"`
	NextToken             *string   `json:"nextToken"`
	Limit                 *int64    `json:"limit"`
	IncludeLinkedAccounts *bool     `json:"includeLinkedAccounts"`
	LogGroupClass         *string   `json:"logGroupClass"`
	LogGroupIdentifiers   *[]string `json:"logGroupIdentifiers"`
}

func (s *Server) describeLogGroups(rc *reqCtx) ([]byte, *apiError) {
	var in describeLogGroupsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.strList(in.AccountIdentifiers, "accountIdentifiers", 0, 20, shAccountID)
	v.str(in.LogGroupNamePrefix, "logGroupNamePrefix", shLogGroupName)
	v.str(in.LogGroupNamePattern, "logGroupNamePattern", shLogGroupNamePattern)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	v.enum(in.LogGroupClass, "logGroupClass", logGroupClasses)
	v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 1, 50, shLogGroupIdentifier)
	if e := v.err(); e != nil {
		return nil, e
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalidParam(msgPrefixPatternExclusive)
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil || in.LogGroupClass != nil) {
		return nil, invalidParam(msgIdentifiersExclusive)
	}
	limit := limitOr(in.Limit, 50)
	q := `SELECT ` + groupColumns + `, (SELECT count(*) FROM metric_filters WHERE group_id = log_groups.id), bearer_token_auth FROM log_groups WHERE 1`
	var args []any
	if in.NextToken != nil {
		last, ok := decodeNameToken("G", *in.NextToken)
		if !ok {
			return nil, badToken()
		}
		q += ` AND name > ?`
		args = append(args, last)
	}
	if in.LogGroupNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.LogGroupNamePrefix)
	}
	if in.LogGroupNamePattern != nil && *in.LogGroupNamePattern != "" {
		q += ` AND instr(name, ?) > 0`
		args = append(args, *in.LogGroupNamePattern)
	}
	if in.LogGroupClass != nil {
		q += ` AND class = ?`
		args = append(args, *in.LogGroupClass)
	}
	if in.LogGroupIdentifiers != nil {
		q += ` AND name IN (` + strings.TrimSuffix(strings.Repeat("?,", len(*in.LogGroupIdentifiers)), ",") + `)`
		for _, id := range *in.LogGroupIdentifiers {
			if n, ok := s.parseGroupArn(id); ok {
				id = n
			}
			args = append(args, id)
		}
	}
	q += ` ORDER BY name LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	var groups []*groupRow
	for rows.Next() {
		var metricFilters int64
		var bearerToken bool
		g, err := scanGroup(rows, &metricFilters, &bearerToken)
		if err != nil {
			rows.Close()
			return nil, s.dbErr(err)
		}
		g.metricFilters, g.bearerToken = metricFilters, bearerToken
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	more := int64(len(groups)) > limit
	if more {
		groups = groups[:limit]
	}
	restricted := in.LogGroupNamePattern != nil
	dp := s.dataProtection()
	o := newObj(make([]byte, 0, 256*len(groups)+64))
	o.key("logGroups")
	o.b = append(o.b, '[')
	for i, g := range groups {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = s.appendGroup(o.b, g, rc.region, restricted, dp)
	}
	o.b = append(o.b, ']')
	if more {
		o.str("nextToken", encodeNameToken("G", groups[len(groups)-1].name))
	}
	return o.done(), nil
}

// appendGroup appends g as a LogGroup.
func (s *Server) appendGroup(b []byte, g *groupRow, region string, restricted bool, dp *dpSnapshot) []byte {
	o := newObj(b)
	o.str("logGroupName", g.name)
	o.int("creationTime", g.creationTime)
	if !restricted && g.retentionDays.Valid {
		o.int("retentionInDays", g.retentionDays.Int64)
	}
	if !restricted {
		o.int("metricFilterCount", g.metricFilters)
	}
	arn := s.groupArn(region, g.name)
	o.str("arn", arn+":*")
	if restricted {
		return o.done()
	}
	o.int("storedBytes", g.storedBytes)
	if g.kmsKeyID.Valid {
		o.str("kmsKeyId", g.kmsKeyID.String)
	}
	dataProtectionMembers(o, dp, g)
	o.str("logGroupClass", g.class)
	o.str("logGroupArn", arn)
	if g.deletionProtection {
		o.bool("deletionProtectionEnabled", true)
	}
	if g.bearerToken {
		o.bool("bearerTokenAuthenticationEnabled", true)
	}
	return o.done()
}

type putRetentionIn struct {
	LogGroupName    *string `json:"logGroupName"`
	RetentionInDays *int64  `json:"retentionInDays"`
}

func (s *Server) putRetentionPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in putRetentionIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	if v.required(in.RetentionInDays != nil, "retentionInDays") && !slices.Contains(retentionDays, *in.RetentionInDays) {
		vals := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			vals[i] = itoa(d)
		}
		val := itoa(*in.RetentionInDays)
		v.add(&val, "retentionInDays", "Member must satisfy enum value set: ["+strings.Join(vals, ", ")+"]")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.setRetention(*in.LogGroupName, *in.RetentionInDays)
}

func (s *Server) deleteRetentionPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in logGroupNameIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.setRetention(*in.LogGroupName, nil)
}

// setRetention sets the named group's retention in days (nil: none).
func (s *Server) setRetention(group string, days any) *apiError {
	return s.updateGroup(group, "retention_days", days)
}

// updateGroup sets column of the named group to value (ResourceNotFoundException for a
// missing group).
func (s *Server) updateGroup(group, column string, value any) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.Exec(`UPDATE log_groups SET `+column+` = ? WHERE name = ?`, value, group)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return groupNotFound()
		}
		return nil
	})
}

type deletionProtectionIn struct {
	LogGroupIdentifier        *string `json:"logGroupIdentifier"`
	DeletionProtectionEnabled *bool   `json:"deletionProtectionEnabled"`
}

// putLogGroupDeletionProtection turns a group's deletion protection on or off.
func (s *Server) putLogGroupDeletionProtection(rc *reqCtx) ([]byte, *apiError) {
	var in deletionProtectionIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	if v.required(in.LogGroupIdentifier != nil, "logGroupIdentifier") {
		v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	}
	v.required(in.DeletionProtectionEnabled != nil, "deletionProtectionEnabled")
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.resolveGroupRef(nil, in.LogGroupIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.updateGroup(name, "deletion_protection", *in.DeletionProtectionEnabled)
}
