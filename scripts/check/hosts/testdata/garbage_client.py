"""A protocol client that answers wrongly, chosen by the problem's batch:
1 a line that is not JSON, 2 an answer to the wrong id, 3 no answer field,
4 an output of the wrong byte length, 5 an output that is not base64,
6 a garbage line followed by a valid answer (stale by then), anything else
a valid "unsupported" answer."""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    rid, batch = request["id"], request["problem"]["batch"]
    answers = {
        1: ["this is not json"],
        2: [json.dumps({"id": rid + 100, "unsupported": "wrong id"})],
        3: [json.dumps({"id": rid, "result": "AAAA"})],
        4: [json.dumps({"id": rid, "output": "AACAPw=="})],
        5: [json.dumps({"id": rid, "output": "not base64!"})],
        6: ["debug: computing...", json.dumps({"id": rid, "unsupported": "late"})],
    }.get(batch, [json.dumps({"id": rid, "unsupported": f"batch {batch} is fine"})])
    for text in answers:
        sys.stdout.write(text + "\n")
    sys.stdout.flush()
