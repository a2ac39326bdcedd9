"""boto3 1.26 (Debian 12's python3-boto3, SQS over the query protocol) against a Ballast server.

Usage: /usr/bin/python3 boto3_scenario.py <endpoint-url>
Credentials and region come from the environment. Every check is an assert; on success the
script prints one JSON object of what it saw, which the vitest suite checks again.

botocore 1.29 does not verify SQS's MD5 digests itself, so this script does: the body's MD5
and MD5OfMessageAttributes (SQS's length-prefixed encoding) on every send and receive.
"""

import hashlib
import json
import struct
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
sqs = boto3.client(
    "sqs",
    endpoint_url=endpoint,
    config=Config(retries={"max_attempts": 1, "mode": "standard"}),
)
seen = {"boto3": boto3.__version__}


def md5_of_body(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def md5_of_attributes(attributes):
    """SQS's digest: names sorted; name, type, transport byte and value, each length-prefixed."""
    digest = hashlib.md5()

    def prefixed(data):
        digest.update(struct.pack(">I", len(data)))
        digest.update(data)

    for name in sorted(attributes):
        value = attributes[name]
        prefixed(name.encode("utf-8"))
        prefixed(value["DataType"].encode("utf-8"))
        if "StringValue" in value:
            digest.update(b"\x01")
            prefixed(value["StringValue"].encode("utf-8"))
        else:
            digest.update(b"\x02")
            prefixed(value["BinaryValue"])
    return digest.hexdigest()


def check_sent(result, body, attributes):
    assert result["MD5OfMessageBody"] == md5_of_body(body), result
    if attributes:
        assert result["MD5OfMessageAttributes"] == md5_of_attributes(attributes), result


def check_received(message):
    assert message["MD5OfBody"] == md5_of_body(message["Body"]), message
    if "MessageAttributes" in message:
        assert message["MD5OfMessageAttributes"] == md5_of_attributes(
            message["MessageAttributes"]
        ), message


def receive_all(url, count, **kwargs):
    messages = []
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs)
        messages.extend(got.get("Messages", []))
        if len(messages) >= count:
            break
    for m in messages:
        check_received(m)
    return messages


# Queues, attributes and tags.
work = sqs.create_queue(
    QueueName="py-work",
    Attributes={"VisibilityTimeout": "30", "DelaySeconds": "0"},
    tags={"owner": "py"},
)["QueueUrl"]
assert work.endswith("/000000000000/py-work"), work
assert sqs.get_queue_url(QueueName="py-work")["QueueUrl"] == work
assert sqs.list_queues(QueueNamePrefix="py-")["QueueUrls"] == [work]
assert sqs.list_queue_tags(QueueUrl=work)["Tags"] == {"owner": "py"}
sqs.tag_queue(QueueUrl=work, Tags={"stage": "test", "drop": "me"})
sqs.untag_queue(QueueUrl=work, TagKeys=["drop"])
assert sqs.list_queue_tags(QueueUrl=work)["Tags"] == {"owner": "py", "stage": "test"}

# Sends whose bodies and attributes XML must carry exactly, digests checked both ways.
body = "crlf\r\nlone cr\r tab\t <tag attr=\"x\"> &amp; ]]> \u00e9\u4e2d\U0001F600"
attributes = {
    "s": {"DataType": "String", "StringValue": "<&>\r\n"},
    "n": {"DataType": "Number.float", "StringValue": "-1.5e3"},
    "b": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
}
sent = sqs.send_message(QueueUrl=work, MessageBody=body, MessageAttributes=attributes)
check_sent(sent, body, attributes)
batch = [
    {"Id": f"e{i}", "MessageBody": f"batch {i} & <{i}>", "MessageAttributes": {
        "i": {"DataType": "Number", "StringValue": str(i)}}}
    for i in range(3)
]
sent_batch = sqs.send_message_batch(QueueUrl=work, Entries=batch)
assert sent_batch.get("Failed", []) == [], sent_batch
for entry, result in zip(batch, sorted(sent_batch["Successful"], key=lambda r: r["Id"])):
    assert result["Id"] == entry["Id"]
    check_sent(result, entry["MessageBody"], entry["MessageAttributes"])

received = receive_all(work, 4, AttributeNames=["All"], MessageAttributeNames=["All"])
assert len(received) == 4, received
first = next(m for m in received if m["MessageId"] == sent["MessageId"])
assert first["Body"] == body, repr(first["Body"])
assert first["MessageAttributes"] == attributes, first["MessageAttributes"]
assert first["Attributes"]["ApproximateReceiveCount"] == "1"
seen["body"] = first["Body"]
seen["binary"] = list(first["MessageAttributes"]["b"]["BinaryValue"][:4])

sqs.change_message_visibility(
    QueueUrl=work, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0
)
again = receive_all(work, 1, AttributeNames=["ApproximateReceiveCount"])
assert [m["MessageId"] for m in again] == [sent["MessageId"]], again
assert again[0]["Attributes"] == {"ApproximateReceiveCount": "2"}
deleted = sqs.delete_message_batch(
    QueueUrl=work,
    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
             for i, m in enumerate(received[1:] + again)],
)
assert sorted(e["Id"] for e in deleted["Successful"]) == ["0", "1", "2", "3"], deleted
attrs = sqs.get_queue_attributes(QueueUrl=work, AttributeNames=["All"])["Attributes"]
assert attrs["ApproximateNumberOfMessages"] == "0", attrs
assert attrs["VisibilityTimeout"] == "30", attrs

# A dead-letter queue: the redrive policy round-trips, a message moves, the DLQ names its source.
dlq = sqs.create_queue(QueueName="py-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
    "QueueArn"
]
policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}
src = sqs.create_queue(QueueName="py-src", Attributes={"RedrivePolicy": json.dumps(policy)})[
    "QueueUrl"
]
stored = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]
assert json.loads(stored["RedrivePolicy"]) == policy, stored
poison = sqs.send_message(QueueUrl=src, MessageBody="poison")
check_sent(poison, "poison", None)
assert len(receive_all(src, 1, VisibilityTimeout=0)) == 1
assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=0).get("Messages", []) == []
dead = receive_all(dlq, 1, AttributeNames=["All"])
assert [m["MessageId"] for m in dead] == [poison["MessageId"]], dead
sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq)
assert sources["queueUrls"] == [src], sources
seen["dlqSources"] = sources["queueUrls"]

# FIFO: group and deduplication ids, sequence numbers.
fifo = sqs.create_queue(
    QueueName="py-jobs.fifo",
    Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
)["QueueUrl"]
one = sqs.send_message(QueueUrl=fifo, MessageBody="one", MessageGroupId="g")
dup = sqs.send_message(QueueUrl=fifo, MessageBody="one", MessageGroupId="g")
assert dup["MessageId"] == one["MessageId"] and one["SequenceNumber"].isdigit(), (one, dup)
fifo_messages = receive_all(fifo, 1, AttributeNames=["All"])
assert fifo_messages[0]["Attributes"]["MessageGroupId"] == "g"
assert fifo_messages[0]["Attributes"]["SequenceNumber"] == one["SequenceNumber"]

# Errors: modeled exceptions by their query codes.
try:
    sqs.get_queue_url(QueueName="py-missing")
    raise AssertionError("expected QueueDoesNotExist")
except sqs.exceptions.QueueDoesNotExist as e:
    seen["missingCode"] = e.response["Error"]["Code"]
    seen["missingStatus"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
try:
    sqs.send_message_batch(QueueUrl=work, Entries=[])
    raise AssertionError("expected EmptyBatchRequest")
except ClientError as e:
    seen["emptyBatchCode"] = e.response["Error"]["Code"]

sqs.purge_queue(QueueUrl=fifo)
for url in (fifo, src, dlq, work):
    sqs.delete_queue(QueueUrl=url)
seen["left"] = sqs.list_queues(QueueNamePrefix="py-").get("QueueUrls", [])
print(json.dumps(seen))
