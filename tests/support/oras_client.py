"""oras-py driver for the registry-config real-registry tests.

usage: oras_client.py {push,pull,lookup} REF --config CONFIG_JSON [--http | --ca CA_PEM]

Runs with the test venv's python (scripts/install-test-deps.sh installs
oras==0.2.43). The credentials file is passed to oras-py as `config_path`; the
caller isolates HOME so `~/.docker/config.json` cannot be read as well.

oras-py 0.2.43 traps handled here:
  * auth_backend="basic": the default "token" backend treats an htpasswd
    registry's realm as a token URL.
  * With no matching key, oras-py retries for about 130 s and then fails with an
    AttributeError. So the key is looked up first with oras-py's own
    `client.auth.load_configs`; no match -> exit 3 and "no-match" (no request sent).

push: pushes hello.txt (created in a fresh temp dir, oras-py wants files under
the current directory). pull: pulls into a temp dir, prints the files, and fails
unless it pulled push's hello.txt with its content.
Credentials are never printed.

exit: 0 ok, 1 client failure, 2 usage, 3 no-match
"""

import argparse
import os
import sys
import tempfile
import traceback

EXIT_FAIL = 1
EXIT_NO_MATCH = 3
PUSH_FILE = "hello.txt"
PUSH_CONTENT = b"hello from oras-py\n"


def make_client(args):
    import oras.client

    host = args.ref.split("/", 1)[0]
    if host.rsplit(":", 1)[0] not in ("127.0.0.1", "localhost", "[::1]"):
        print(f"oras_client: refusing non-loopback registry {host!r}", file=sys.stderr)
        sys.exit(EXIT_FAIL)
    kwargs = {"hostname": host, "auth_backend": "basic"}
    if args.http:
        kwargs["insecure"] = True
    elif args.ca:
        kwargs["tls_verify"] = args.ca
    return oras.client.OrasClient(**kwargs)


def has_key(client, args):
    """oras-py's own lookup: does config_path hold a credential for REF's registry?"""
    container = client.get_container(args.ref)
    client.auth.load_configs(container, configs=[args.config])
    return getattr(client.auth, "_basic_auth", None) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("op", choices=["push", "pull", "lookup"])
    parser.add_argument("ref")
    parser.add_argument("--config", required=True, help="config.json passed as config_path")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--http", action="store_true", help="plain-HTTP registry")
    tls.add_argument("--ca", help="CA bundle (PEM) for a TLS registry")
    args = parser.parse_args()

    try:
        client = make_client(args)
        if not has_key(client, args):
            print(f"no-match: {args.config} has no key oras-py matches for {args.ref}")
            return EXIT_NO_MATCH
        if args.op == "lookup":
            print(f"found a credential for {args.ref}")
            return 0
        with tempfile.TemporaryDirectory(prefix="oras-client-") as work:
            os.chdir(work)
            if args.op == "push":
                with open(PUSH_FILE, "wb") as f:
                    f.write(PUSH_CONTENT)
                client.push(files=[PUSH_FILE], target=args.ref, config_path=args.config)
                print(f"pushed {args.ref}")
            else:
                out = os.path.join(work, "out")
                files = client.pull(target=args.ref, outdir=out, config_path=args.config)
                names = sorted(os.path.relpath(p, out) for p in files)
                print(f"pulled {args.ref} files={names}")
                pushed = [p for p in files if os.path.basename(p) == PUSH_FILE]
                if len(pushed) != 1:
                    print(f"oras_client: {PUSH_FILE} was not pulled", file=sys.stderr)
                    return EXIT_FAIL
                with open(pushed[0], "rb") as f:
                    if f.read() != PUSH_CONTENT:
                        print(f"oras_client: {PUSH_FILE} content differs", file=sys.stderr)
                        return EXIT_FAIL
        return 0
    except SystemExit:
        raise
    except BaseException:  # report everything oras-py raises, with its chain
        traceback.print_exc()
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
