"""An S3-compatible object store for Obcan's tests (moto's server), on loopback.

    server.py BUCKET

Listens on 127.0.0.1 at a free port, creates the empty bucket BUCKET (through
the S3 API, with a signed request, which also shows that the server answers),
and then prints "ready <port>". Moto accepts any credentials; the tests use
access key "test", secret "test" and region "us-east-1". Everything is kept in
memory and is gone when the process ends.
"""

import argparse
import logging
import sys
import threading

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bucket")
    args = parser.parse_args()
    # One line per request on stderr would drown the test's own output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )
    client.create_bucket(Bucket=args.bucket)
    print(f"ready {port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
