package localserver

import (
	"context"
	"database/sql"
	"errors"
)

// Deliveries (see ops_delivery.go for what is shared). "A delivery is a connection between
// a logical delivery source and a logical delivery destination" (CreateDelivery):
//
//   - CreateDelivery takes the source by name and the destination by ARN, both of this
//     account and existing (ResourceNotFoundException otherwise, ops_delivery.go's
//     messages; a destination of another account, which a cross-account delivery would
//     name, cannot exist on this one-account server). deliveryDestinationArn is answered as
//     given, deliveryDestinationType is the destination's.
//   - One delivery per source and destination: a second one for the pair is
//     ConflictException "The specified Delivery already exists" (moto's wording; AWS's is
//     not on record). A source may have deliveries to several destinations and a
//     destination from several sources ("You can configure a single delivery source to send
//     logs to multiple destinations by creating multiple deliveries"). moto also refuses a
//     second delivery of a source to a destination of the same type; that rule is not on
//     record from AWS and is not applied.
//   - recordFields (0–128 fields of 1–64 characters), fieldDelimiter (0–5 characters) and
//     s3DeliveryConfiguration (suffixPath 1–256 characters, enableHiveCompatiblePath) are
//     stored and answered as given. AWS fills in the defaults of the source's configuration
//     template (the AWS CLI's create-delivery example answers four record fields and an
//     empty fieldDelimiter for a CodeWhisperer delivery); without the templates
//     (ops_delivery.go) a delivery carries only what was given. s3DeliveryConfiguration
//     "contains parameters that are valid only when the delivery's delivery destination is
//     an S3 bucket" (the model): for another destination it is ValidationException, our
//     wording.
//   - UpdateDeliveryConfiguration changes recordFields, fieldDelimiter and
//     s3DeliveryConfiguration ("You can't use this operation to change the source or
//     destination of the delivery"): each member given replaces the stored one (an
//     s3DeliveryConfiguration as a whole), the others are kept. It answers {} (the model's
//     empty UpdateDeliveryConfigurationResponse).
//   - DeleteDelivery "only deletes the connection between the delivery source and delivery
//     destination"; its tags go with it.

const (
	msgDeliveryExists = "The specified Delivery already exists"
	msgS3ConfigNotS3  = "s3DeliveryConfiguration is valid only for a delivery to an S3 delivery destination; %s is a %s destination."
)

// deliveryRow is a stored delivery.
type deliveryRow struct {
	id, sourceName, destinationName, destinationArn, destinationType string
	recordFields, fieldDelimiter, s3Config                           sql.NullString // as answered (JSON array, string, JSON object)
}

const deliveryColumns = `id, source_name, destination_name, destination_arn, destination_type, record_fields, field_delimiter, s3_config`

func scanDelivery(sc interface{ Scan(...any) error }) (*deliveryRow, error) {
	d := &deliveryRow{}
	err := sc.Scan(&d.id, &d.sourceName, &d.destinationName, &d.destinationArn, &d.destinationType,
		&d.recordFields, &d.fieldDelimiter, &d.s3Config)
	return d, err
}

// findDelivery returns the delivery id names, or ResourceNotFoundException.
func (s *Server) findDelivery(ctx context.Context, q queryer, id string) (*deliveryRow, *apiError) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clientErr(codeResourceNotFound, msgDeliveryNotFound)
	}
	if err != nil {
		return nil, s.dbErr(err)
	}
	return d, nil
}

// deliveryMembers writes d's Delivery members into o, in the model's order.
func (s *Server) deliveryMembers(o *jsonObj, region string, d *deliveryRow) {
	o.str("id", d.id)
	o.str("arn", s.arnOf(region, arnDelivery, d.id))
	o.str("deliverySourceName", d.sourceName)
	o.str("deliveryDestinationArn", d.destinationArn)
	o.str("deliveryDestinationType", d.destinationType)
	if d.recordFields.Valid {
		o.raw("recordFields", []byte(d.recordFields.String))
	}
	if d.fieldDelimiter.Valid {
		o.str("fieldDelimiter", d.fieldDelimiter.String)
	}
	if d.s3Config.Valid {
		o.raw("s3DeliveryConfiguration", []byte(d.s3Config.String))
	}
}

// s3DeliveryConfigurationIn is S3DeliveryConfiguration.
type s3DeliveryConfigurationIn struct {
	SuffixPath               *string `json:"suffixPath"`
	EnableHiveCompatiblePath *bool   `json:"enableHiveCompatiblePath"`
}

// deliveryConfigIn holds the configuration members of CreateDelivery and
// UpdateDeliveryConfiguration.
type deliveryConfigIn struct {
	RecordFields            *[]string
	FieldDelimiter          *string
	S3DeliveryConfiguration *s3DeliveryConfigurationIn
}

func (c *deliveryConfigIn) check(v *verrs) {
	v.strList(c.RecordFields, "recordFields", 0, 128, shFieldHeader)
	v.str(c.FieldDelimiter, "fieldDelimiter", shFieldDelimiter)
	if s3 := c.S3DeliveryConfiguration; s3 != nil {
		v.str(s3.SuffixPath, "s3DeliveryConfiguration.suffixPath", shDeliverySuffixPath)
	}
}

// apply sets the members c gives in d (rendered as answered); a delivery to a destination
// that is not S3 takes no s3DeliveryConfiguration.
func (c *deliveryConfigIn) apply(d *deliveryRow) *apiError {
	if c.S3DeliveryConfiguration != nil && d.destinationType != "S3" {
		return validationErr(msgS3ConfigNotS3, d.destinationArn, d.destinationType)
	}
	if c.RecordFields != nil {
		d.recordFields = sql.NullString{String: string(appendStrings(nil, *c.RecordFields)), Valid: true}
	}
	if c.FieldDelimiter != nil {
		d.fieldDelimiter = sql.NullString{String: *c.FieldDelimiter, Valid: true}
	}
	if s3 := c.S3DeliveryConfiguration; s3 != nil {
		o := newObj(nil)
		if s3.SuffixPath != nil {
			o.str("suffixPath", *s3.SuffixPath)
		}
		if s3.EnableHiveCompatiblePath != nil {
			o.bool("enableHiveCompatiblePath", *s3.EnableHiveCompatiblePath)
		}
		d.s3Config = sql.NullString{String: string(o.done()), Valid: true}
	}
	return nil
}

// createDeliveryIn is CreateDeliveryRequest (decodeJSON reads no embedded structs, so the
// configuration members are repeated here and gathered by config).
type createDeliveryIn struct {
	DeliverySourceName      *string                    `json:"deliverySourceName"`
	DeliveryDestinationArn  *string                    `json:"deliveryDestinationArn"`
	RecordFields            *[]string                  `json:"recordFields"`
	FieldDelimiter          *string                    `json:"fieldDelimiter"`
	S3DeliveryConfiguration *s3DeliveryConfigurationIn `json:"s3DeliveryConfiguration"`
	Tags                    *map[string]string         `json:"tags"`
}

func (in *createDeliveryIn) config() *deliveryConfigIn {
	return &deliveryConfigIn{in.RecordFields, in.FieldDelimiter, in.S3DeliveryConfiguration}
}

func (s *Server) createDelivery(rc *reqCtx) ([]byte, *apiError) {
	var in createDeliveryIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.DeliverySourceName != nil, "deliverySourceName")
	v.str(in.DeliverySourceName, "deliverySourceName", shDeliverySourceName)
	v.required(in.DeliveryDestinationArn != nil, "deliveryDestinationArn")
	cfg := in.config()
	cfg.check(&v)
	v.tags(in.Tags, "tags")
	if e := v.validation(); e != nil {
		return nil, e
	}
	var row *deliveryRow
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		src, aerr := s.findDeliverySource(ctx, tx, *in.DeliverySourceName)
		if aerr != nil {
			return aerr
		}
		typ, destName, ok := s.parseLogsArn(*in.DeliveryDestinationArn)
		if !ok || typ != arnDeliveryDestination {
			return clientErr(codeResourceNotFound, msgDeliveryDestinationNotFound)
		}
		dst, aerr := s.findDeliveryDestination(ctx, tx, destName)
		if aerr != nil {
			return aerr
		}
		row = &deliveryRow{sourceName: src.name, destinationName: dst.name,
			destinationArn: *in.DeliveryDestinationArn, destinationType: dst.typ}
		if aerr := cfg.apply(row); aerr != nil {
			return aerr
		}
		listKey := deliveryListKey(src.name, dst.name)
		if dup, err := rowExists(ctx, tx, `SELECT 1 FROM deliveries WHERE list_key = ?`, listKey); err != nil {
			return s.dbErr(err)
		} else if dup {
			return conflict("%s", msgDeliveryExists)
		}
		for {
			row.id = newDeliveryID()
			taken, err := rowExists(ctx, tx, `SELECT 1 FROM deliveries WHERE id = ?`, row.id)
			if err != nil {
				return s.dbErr(err)
			}
			if !taken {
				break
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO deliveries(`+deliveryColumns+`, list_key) VALUES (?,?,?,?,?,?,?,?,?)`,
			row.id, row.sourceName, row.destinationName, row.destinationArn, row.destinationType,
			row.recordFields, row.fieldDelimiter, row.s3Config, listKey)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "delivery_tags", "id", row.id, *in.Tags, s.arnOf(rc.region, arnDelivery, row.id))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return s.deliveryAnswer(rc.region, row), nil
}

// deliveryListKey orders DescribeDeliveries by source name, then destination name: names
// are [\w-]*, all above the space that separates them.
func deliveryListKey(source, destination string) string { return source + " " + destination }

// deliveryAnswer is {"delivery":{…}} for d.
func (s *Server) deliveryAnswer(region string, d *deliveryRow) []byte {
	f := newObj(nil)
	s.deliveryMembers(f, region, d)
	o := newObj(nil)
	o.raw("delivery", f.done())
	return o.done()
}

// deliveryIDIn is the input of GetDelivery and DeleteDelivery.
type deliveryIDIn struct {
	ID *string `json:"id"`
}

func (in *deliveryIDIn) check(v *verrs) {
	v.required(in.ID != nil, "id")
	v.str(in.ID, "id", shDeliveryID)
}

// decodeDeliveryID decodes and checks a deliveryIDIn, and returns the id.
func decodeDeliveryID(body []byte) (string, *apiError) {
	var in deliveryIDIn
	if e := decodeJSON(body, &in); e != nil {
		return "", e
	}
	var v verrs
	in.check(&v)
	if e := v.validation(); e != nil {
		return "", e
	}
	return *in.ID, nil
}

func (s *Server) getDelivery(rc *reqCtx) ([]byte, *apiError) {
	id, aerr := decodeDeliveryID(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := s.findDelivery(rc.ctx, s.st.r, id)
	if aerr != nil {
		return nil, aerr
	}
	return s.deliveryAnswer(rc.region, d), nil
}

func (s *Server) describeDeliveries(rc *reqCtx) ([]byte, *apiError) {
	return s.describeDeliveryPage(rc, "DescribeDeliveries", namePage{
		query: `SELECT ` + deliveryColumns + ` FROM deliveries WHERE 1`, col: "list_key",
		kind: "VY", key: "deliveries",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			d, err := scanDelivery(rows)
			if err != nil {
				return "", err
			}
			s.deliveryMembers(f, rc.region, d)
			return deliveryListKey(d.sourceName, d.destinationName), nil // the row's list_key
		},
	})
}

func (s *Server) deleteDelivery(rc *reqCtx) ([]byte, *apiError) {
	id, aerr := decodeDeliveryID(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.ExecContext(context.Background(), `DELETE FROM deliveries WHERE id = ?`, id)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgDeliveryNotFound)
		}
		return nil
	})
}

// updateDeliveryConfigurationIn is UpdateDeliveryConfigurationRequest.
type updateDeliveryConfigurationIn struct {
	ID                      *string                    `json:"id"`
	RecordFields            *[]string                  `json:"recordFields"`
	FieldDelimiter          *string                    `json:"fieldDelimiter"`
	S3DeliveryConfiguration *s3DeliveryConfigurationIn `json:"s3DeliveryConfiguration"`
}

func (s *Server) updateDeliveryConfiguration(rc *reqCtx) ([]byte, *apiError) {
	var in updateDeliveryConfigurationIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	(&deliveryIDIn{in.ID}).check(&v)
	cfg := &deliveryConfigIn{in.RecordFields, in.FieldDelimiter, in.S3DeliveryConfiguration}
	cfg.check(&v)
	if e := v.validation(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		d, aerr := s.findDelivery(ctx, tx, *in.ID)
		if aerr != nil {
			return aerr
		}
		if aerr := cfg.apply(d); aerr != nil {
			return aerr
		}
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET record_fields = ?, field_delimiter = ?, s3_config = ? WHERE id = ?`,
			d.recordFields, d.fieldDelimiter, d.s3Config, d.id)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}
