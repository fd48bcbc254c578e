package main

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// shapeCasesScript writes random answers of every operation with an output, built from
// botocore's model with members missing, unmodelled and null, values of the wrong kind, unions
// with no, one, two and unknown members, documents and numbers in every JSON form, each with
// what the AWS CLI prints for it: botocore's JSONParser, then json.dumps(indent=4,
// ensure_ascii=False) ("" for an empty answer), or the name of the exception it fails with.
const shapeCasesScript = `
import json, random, sys, botocore.session
from botocore import parsers
random.seed(int(sys.argv[1]))
model = botocore.session.get_session().get_service_model("logs")
NUMS = ['0','1','-0','1.0','1.50','1e3','1E+2','-2.5e-7','12345678901234567890123','0.1','1e400','1e-400','100000000000000000.0','3.14159265358979323846']
STRS = ['"a"','"\\u00e9"','"\\/x"','"tab\\tnl\\n"','"\\ud83d\\ude00"','"<b>&"','""']
def gen(shape, depth=0):
    r = random.random()
    if r < 0.05 or depth > 4: return 'null'
    t = shape.type_name
    if r < 0.08: return random.choice(NUMS+STRS+['true','[]','{}','{"k":1,"j":2,"k":3}'])
    if t == 'structure':
        if shape.is_document_type:
            return random.choice(['{"a":[1,null,{"b":1.0}],"a":2}','[1,2]','"d"','1.0','{}'])
        names = list(shape.members)
        if shape.is_tagged_union:
            pick = random.sample(names, min(random.randint(0, 2), len(names)))
            if random.random() < 0.2: pick = ['newMember']
            parts = ['"%s":%s' % (n, gen(shape.members[n], depth+1) if n in shape.members else '{}') for n in pick]
            if random.random() < 0.3: parts.append('"__type":"x"')
        else:
            pick = [n for n in names if random.random() < 0.7]
            random.shuffle(pick)
            parts = ['"%s":%s' % (n, gen(shape.members[n], depth+1)) for n in pick]
            if random.random() < 0.3: parts.append('"unmodelled":{"x":null}')
        return '{' + ','.join(parts) + '}'
    if t == 'list':
        return '[' + ','.join(gen(shape.member, depth+1) for _ in range(random.randint(0, 3))) + ']'
    if t == 'map':
        return '{' + ','.join('"k%d":%s' % (i, gen(shape.value, depth+1)) for i in range(random.randint(0, 3))) + '}'
    if t in ('integer', 'long', 'double', 'float'): return random.choice(NUMS)
    if t == 'boolean': return random.choice(['true', 'false'])
    return random.choice(STRS)
ops = [n for n in model.operation_names if model.operation_model(n).output_shape is not None
       and not model.operation_model(n).output_shape.event_stream_name]
cases = []
for i in range(int(sys.argv[2])):
    op = random.choice(ops)
    shape = model.operation_model(op).output_shape
    body = gen(shape)
    if not body.startswith('{'): body = '{}'
    try:
        parsed = parsers.JSONParser().parse({'body': body.encode(), 'headers': {}, 'status_code': 200}, shape)
        parsed.pop('ResponseMetadata', None)
        cases.append({'op': op, 'body': body, 'ok': True, 'want': json.dumps(parsed, indent=4, ensure_ascii=False) if parsed else ''})
    except Exception as e:
        cases.append({'op': op, 'body': body, 'ok': False, 'want': type(e).__name__})
json.dump(cases, sys.stdout)
`

// TestShapeAnswerBotocore: call prints random answers of every operation as the AWS CLI
// prints them (shapeAnswer, then formatAWSJSON), and fails where botocore's parser fails. It
// found lists given a string or an object refused where botocore iterates them.
func TestShapeAnswerBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	raw, err := exec.Command(python, "-c", shapeCasesScript, "1", "3000").Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var cases []struct {
		Op, Body, Want string
		OK             bool
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	fails := 0
	for _, c := range cases {
		if !c.OK {
			fails++
		}
		op, err := lookupOperation(c.Op)
		if err != nil {
			t.Fatal(err)
		}
		shaped, err := shapeAnswer(op, []byte(c.Body))
		var got []byte
		if err == nil {
			got, err = formatAWSJSON(shaped, false)
		}
		if (err == nil) != c.OK || c.OK && string(got) != c.Want {
			t.Errorf("%s %s:\ngot  %s (error %v)\nwant %s (botocore ok: %v)", c.Op, c.Body, got, err, c.Want, c.OK)
		}
	}
	if fails == 0 || fails == len(cases) {
		t.Errorf("%d of %d cases fail in botocore: the cases do not cover both", fails, len(cases))
	}
}
