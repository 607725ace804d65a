#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Interoperability of seg's C daemon API with Python grpcio, a second gRPC implementation.

  --mode py-server: a Python grpcio server (generic handler, message classes generated from
                    seg's .proto files at test time) answers the C client
                    (daemon_interop_client), which checks every field.
  --mode py-client: the C server (daemon_interop_server) answers a Python grpcio client,
                    which checks every field and the error statuses.

Both sides use the fixture values of tests/daemon/fixtures.c, repeated below: keep them in
step. Everything runs on 127.0.0.1 with ports chosen by the kernel. A missing grpcio,
protobuf or protoc is a failure, never a skip: the test exists to prove interoperability.
"""
import argparse
import os
import subprocess
import sys
import tempfile

CALL_TIMEOUT_S = 10
HELPER_TIMEOUT_S = 60


def fail(msg):
    print("interop: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


try:
    import grpc
except ImportError as e:
    fail("python3-grpcio is missing (%s); install Debian's python3-grpcio "
         "(scripts/bootstrap.sh) and run with /usr/bin/python3" % e)
try:
    from google.protobuf import empty_pb2
except ImportError as e:
    fail("python3-protobuf is missing (%s)" % e)

SERVICE = "proto.daemon.v1.DaemonService"

# fixtures.h / fixtures.c
SRC_IA = 0x0001FF0000000110
DST_IA = 0x0002FF0000000220
MID_IA = 0x0001FF0000000111
AS_MTU = 1400
EXPIRY = 1700003600
VAL_TIME = 1700000100
EPOCH_BEGIN = 1700000000
EPOCH_END = 1700086400
DRKEY_PROTOCOL = 7
SRC_HOST = "192.0.2.1"
DST_HOST = "2001:db8::2"
PORT_START, PORT_END = 31000, 32767
INTERFACES = {1: "127.0.0.1:31001", 2: "[::1]:31002", 41: "127.0.0.17:50000"}
HOST_AS, AS_HOST, HOST_HOST = 0, 1, 2
DRKEY_METHODS = {HOST_AS: "DRKeyHostAS", AS_HOST: "DRKeyASHost", HOST_HOST: "DRKeyHostHost"}


def load_messages(protoc, source_dir, out):
    """Generates the Python classes of seg's daemon.proto into out and imports them.

    Only daemon.proto and drkey.proto are generated: the well-known types come from the
    installed protobuf package (the vendored copies are for protoc-c only)."""
    try:
        subprocess.run([protoc, "--python_out=" + out, "-I", ".", "-I", "proto",
                        "proto/daemon/v1/daemon.proto", "proto/drkey/v1/drkey.proto"],
                       cwd=source_dir, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        fail("protoc (protobuf-compiler) failed: %s" % e)
    for pkg in ("proto", "proto/daemon", "proto/daemon/v1", "proto/drkey", "proto/drkey/v1"):
        open(os.path.join(out, pkg, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    from proto.daemon.v1 import daemon_pb2
    return daemon_pb2


def expected_path(pb, i):
    p = pb.Path(mtu=AS_MTU)
    if i == 2:
        p.expiration.seconds = EXPIRY + 2
        return p
    if i == 0:
        p.raw = bytes([0, 0, 0x20, 0x80]) + bytes((k * 7 + 1) & 0xFF for k in range(64))
    else:
        p.raw = bytes([0, 0, 0x30, 0]) + bytes((k * 3 + 5) & 0xFF for k in range(44))
    p.interface.address.address = "127.0.0.1:31002" if i == 0 else "[::1]:31004"
    for ia, ifid in ((SRC_IA, 1), (MID_IA, 2 + i), (MID_IA, 65535), (DST_IA, 40 + i)):
        p.interfaces.add(isd_as=ia, id=ifid)
    p.mtu = 1472 if i == 0 else 9000
    p.expiration.seconds = EXPIRY + i
    return p


def expected_paths(pb, hidden):
    return pb.PathsResponse(paths=[expected_path(pb, i) for i in range(1 if hidden else 3)])


def expected_interfaces(pb):
    r = pb.InterfacesResponse()
    for ifid, addr in INTERFACES.items():
        r.interfaces[ifid].address.address = addr
    return r


def expected_drkey(pb, kind):
    cls = getattr(pb, DRKEY_METHODS[kind] + "Response")
    r = cls(key=bytes((j * 17 + kind) & 0xFF for j in range(16)))
    r.epoch_begin.seconds = EPOCH_BEGIN
    r.epoch_end.seconds = EPOCH_END + kind
    return r


def drkey_request(pb, kind):
    cls = getattr(pb, DRKEY_METHODS[kind] + "Request")
    r = cls(protocol_id=DRKEY_PROTOCOL, src_ia=SRC_IA, dst_ia=DST_IA)
    r.val_time.seconds = VAL_TIME
    if kind != AS_HOST:
        r.src_host = SRC_HOST
    if kind != HOST_AS:
        r.dst_host = DST_HOST
    return r


# ---- Python server, C client -------------------------------------------------------------

def run_py_server(pb, c_client):
    from concurrent import futures
    calls = []

    def paths(req, ctx):
        calls.append("Paths")
        if req.source_isd_as != SRC_IA or req.destination_isd_as != DST_IA:
            ctx.abort(grpc.StatusCode.NOT_FOUND, "no such path")
        # The C client asks (hidden, refresh) = (false, true), then (true, false).
        if req.refresh == req.hidden:
            ctx.abort(grpc.StatusCode.INVALID_ARGUMENT, "hidden/refresh not as sent")
        return expected_paths(pb, req.hidden)

    def as_info(req, ctx):
        calls.append("AS")
        if req.isd_as not in (0, SRC_IA):
            ctx.abort(grpc.StatusCode.NOT_FOUND, "unknown AS")
        return pb.ASResponse(isd_as=SRC_IA, core=True, mtu=AS_MTU)

    def interfaces(req, ctx):
        calls.append("Interfaces")
        return expected_interfaces(pb)

    def port_range(req, ctx):
        calls.append("PortRange")
        return pb.PortRangeResponse(dispatched_port_start=PORT_START,
                                    dispatched_port_end=PORT_END)

    def drkey(kind):
        def handler(req, ctx):
            calls.append(DRKEY_METHODS[kind])
            if req != drkey_request(pb, kind):
                ctx.abort(grpc.StatusCode.INVALID_ARGUMENT, "unexpected request %s" % req)
            return expected_drkey(pb, kind)
        return handler

    def unary(fn, req_cls, resp_cls):
        return grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=req_cls.FromString,
            response_serializer=resp_cls.SerializeToString)

    handlers = {
        "Paths": unary(paths, pb.PathsRequest, pb.PathsResponse),
        "AS": unary(as_info, pb.ASRequest, pb.ASResponse),
        "Interfaces": unary(interfaces, pb.InterfacesRequest, pb.InterfacesResponse),
        "PortRange": unary(port_range, empty_pb2.Empty, pb.PortRangeResponse),
    }
    for kind, name in DRKEY_METHODS.items():
        handlers[name] = unary(drkey(kind), getattr(pb, name + "Request"),
                               getattr(pb, name + "Response"))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    if not port:
        fail("Python server could not bind 127.0.0.1")
    server.start()
    try:
        r = subprocess.run([c_client, "127.0.0.1:%d" % port], timeout=HELPER_TIMEOUT_S)
    finally:
        server.stop(grace=None)
    if r.returncode != 0:
        fail("C client against the Python server exited %d" % r.returncode)
    want = ["Paths", "Paths", "AS", "Interfaces", "PortRange"] + list(DRKEY_METHODS.values())
    if calls != want:
        fail("Python server saw calls %s, want %s" % (calls, want))
    print("interop: Python grpcio server -> C client: %d calls match" % len(calls))


# ---- C server, Python client -------------------------------------------------------------

def expect_status(fn, code, what):
    try:
        fn()
    except grpc.RpcError as e:
        if e.code() != code:
            fail("%s: status %s, want %s (%s)" % (what, e.code(), code, e.details()))
        return
    fail("%s: succeeded, want %s" % (what, code))


def check_c_server(pb, channel):
    def call(method, req_cls, resp_cls):
        return channel.unary_unary("/%s/%s" % (SERVICE, method),
                                   request_serializer=req_cls.SerializeToString,
                                   response_deserializer=resp_cls.FromString)

    paths = call("Paths", pb.PathsRequest, pb.PathsResponse)
    for hidden in (False, True):
        got = paths(pb.PathsRequest(source_isd_as=SRC_IA, destination_isd_as=DST_IA,
                                    hidden=hidden, refresh=not hidden), timeout=CALL_TIMEOUT_S)
        if got != expected_paths(pb, hidden):
            fail("Paths(hidden=%s): got %s" % (hidden, got))
    as_call = call("AS", pb.ASRequest, pb.ASResponse)
    for ia in (0, SRC_IA):
        got = as_call(pb.ASRequest(isd_as=ia), timeout=CALL_TIMEOUT_S)
        if got != pb.ASResponse(isd_as=SRC_IA, core=True, mtu=AS_MTU):
            fail("AS(%x): got %s" % (ia, got))
    got = call("Interfaces", pb.InterfacesRequest, pb.InterfacesResponse)(
        pb.InterfacesRequest(), timeout=CALL_TIMEOUT_S)
    if got != expected_interfaces(pb):
        fail("Interfaces: got %s" % got)
    got = call("PortRange", empty_pb2.Empty, pb.PortRangeResponse)(
        empty_pb2.Empty(), timeout=CALL_TIMEOUT_S)
    if (got.dispatched_port_start, got.dispatched_port_end) != (PORT_START, PORT_END):
        fail("PortRange: got %s" % got)
    for kind, name in DRKEY_METHODS.items():
        fn = call(name, getattr(pb, name + "Request"), getattr(pb, name + "Response"))
        got = fn(drkey_request(pb, kind), timeout=CALL_TIMEOUT_S)
        if got != expected_drkey(pb, kind):
            fail("%s: got %s" % (name, got))
    return 2 + 2 + 1 + 1 + len(DRKEY_METHODS)


def check_c_server_errors(pb, channel):
    expect_status(lambda: channel.unary_unary("/%s/Services" % SERVICE)(
        b"", timeout=CALL_TIMEOUT_S), grpc.StatusCode.UNIMPLEMENTED, "unknown method")
    as_call = channel.unary_unary("/%s/AS" % SERVICE,
                                  request_serializer=pb.ASRequest.SerializeToString,
                                  response_deserializer=pb.ASResponse.FromString)
    expect_status(lambda: as_call(pb.ASRequest(isd_as=DST_IA), timeout=CALL_TIMEOUT_S),
                  grpc.StatusCode.NOT_FOUND, "AS of an unknown AS")
    req = drkey_request(pb, HOST_AS)
    req.src_host = "not-an-ip"
    host_as = channel.unary_unary("/%s/DRKeyHostAS" % SERVICE,
                                  request_serializer=pb.DRKeyHostASRequest.SerializeToString,
                                  response_deserializer=pb.DRKeyHostASResponse.FromString)
    expect_status(lambda: host_as(req, timeout=CALL_TIMEOUT_S),
                  grpc.StatusCode.INVALID_ARGUMENT, "DRKeyHostAS with a bad host")
    raw_paths = channel.unary_unary("/%s/Paths" % SERVICE)
    expect_status(lambda: raw_paths(b"\xff\xff\xff", timeout=CALL_TIMEOUT_S),
                  grpc.StatusCode.INVALID_ARGUMENT, "Paths with bytes that are no message")


def run_py_client(pb, c_server):
    proc = subprocess.Popen([c_server], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            fail("C server did not announce its port: %r" % line)
        with grpc.insecure_channel("127.0.0.1:" + line[1]) as channel:
            n = check_c_server(pb, channel)
            check_c_server_errors(pb, channel)
        proc.stdin.close()
        rest = proc.stdout.read()
        rc = proc.wait(timeout=HELPER_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if rc != 0:
        fail("C server exited %d" % rc)
    # Every successful call and the AS NOT_FOUND reached an op; the bad requests did not.
    if "served %d calls" % (n + 1) not in rest:
        fail("C server output %r, want %d calls served" % (rest, n + 1))
    print("interop: Python grpcio client -> C server: %d calls match, errors as expected" % n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("py-server", "py-client"), required=True)
    ap.add_argument("--protoc", default="protoc")
    ap.add_argument("--proto-dir", required=True, help="the source root (holds proto/)")
    ap.add_argument("--c-client", required=True)
    ap.add_argument("--c-server", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="seg-interop-") as out:
        pb = load_messages(args.protoc, args.proto_dir, out)
        if args.mode == "py-server":
            run_py_server(pb, args.c_client)
        else:
            run_py_client(pb, args.c_server)


if __name__ == "__main__":
    main()
