"""moto_server for the end-to-end tests: served over TLS only, with one gap of moto's filled.

moto evaluates bucket policies but ignores their Condition blocks, so the emitted TLS-only statement
(Deny s3:* when aws:SecureTransport is false) would deny every request. This server only speaks HTTPS, so for
every request it serves aws:SecureTransport is true and that statement cannot apply: it is left out of the
evaluation. Every other statement is evaluated by moto as usual. The deploy scripts are not changed.

Usage: python3 moto_server_tls.py -H 127.0.0.1 -p PORT -c CERT -k KEY
"""
import json
import sys

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3.models import FakeBucket


def _denies_only_insecure_transport(statement):
    condition = statement.get("Condition") or {}
    return statement.get("Effect") == "Deny" and condition == {"Bool": {"aws:SecureTransport": "false"}}


def _get_permission(self, action, resource):
    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if not _denies_only_insecure_transport(s)]
    if not kept:
        return PermissionResult.NEUTRAL
    document["Statement"] = kept
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


FakeBucket.get_permission = _get_permission

if __name__ == "__main__":
    if "-c" not in sys.argv and "--ssl-cert" not in sys.argv:
        sys.exit("moto_server_tls.py serves TLS only: pass -c CERT -k KEY")
    from moto.server import main

    main(sys.argv[1:])
