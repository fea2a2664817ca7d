#!/usr/bin/env python3
"""The baseline e2e_bench is compared with: what a user writes instead.

A minimal Mesos framework in the style of a forty-line pymesos scheduler,
on the standard library only: all N tasks are known up front; every offer is
filled greedily with as many of them as fit and accepted at once; every
status update is acknowledged with its own call as it arrives. It speaks the
v1 scheduler HTTP API (SUBSCRIBE stream in RecordIO, calls on one keep-alive
connection), so it runs against outrigger-sim or a real master.

  naive_framework.py --master http://127.0.0.1:5050 --tasks 10000

Prints the time from SUBSCRIBE to the last terminal update. It keeps no
journal, retries nothing and forgets everything when it stops: the figure is
a floor for a scheduler that does no bookkeeping, not a product.
"""
import argparse
import http.client
import json
import sys
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--master", default="http://127.0.0.1:5050")
    ap.add_argument("--tasks", type=int, default=10000)
    ap.add_argument("--cpus", type=float, default=0.1)
    ap.add_argument("--mem", type=float, default=32)
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    url = urllib.parse.urlparse(a.master)
    host, port = url.hostname, url.port or 5050
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    stream = http.client.HTTPConnection(host, port, timeout=a.timeout)
    t0 = time.monotonic()
    stream.request("POST", "/api/v1/scheduler", json.dumps({
        "type": "SUBSCRIBE",
        "subscribe": {"framework_info": {"user": "root", "name": "naive",
                                         "roles": ["*"],
                                         "capabilities": [{"type": "MULTI_ROLE"}]}}}),
        headers)
    resp = stream.getresponse()
    if resp.status != 200:
        sys.exit("SUBSCRIBE: HTTP %d %s" % (resp.status, resp.read()[:200]))
    call_headers = dict(headers, **{"Mesos-Stream-Id": resp.getheader("Mesos-Stream-Id")})
    calls = http.client.HTTPConnection(host, port, timeout=a.timeout)
    framework_id = None

    def call(body):
        body["framework_id"] = {"value": framework_id}
        calls.request("POST", "/api/v1/scheduler", json.dumps(body), call_headers)
        r = calls.getresponse()
        r.read()
        if r.status != 202:
            sys.exit("%s: HTTP %d" % (body["type"], r.status))

    next_task, done, buf = 0, 0, b""
    while done < a.tasks:
        if time.monotonic() - t0 > a.timeout:
            sys.exit("timeout: %d of %d tasks ended" % (done, a.tasks))
        chunk = resp.read1(65536)
        if not chunk:
            sys.exit("the master closed the stream")
        buf += chunk
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                break
            size = int(buf[:nl])
            if len(buf) < nl + 1 + size:
                break
            event = json.loads(buf[nl + 1:nl + 1 + size])
            buf = buf[nl + 1 + size:]
            kind = event["type"]
            if kind == "SUBSCRIBED":
                framework_id = event["subscribed"]["framework_id"]["value"]
            elif kind == "OFFERS":
                for offer in event["offers"]["offers"]:
                    free = {r["name"]: r["scalar"]["value"]
                            for r in offer["resources"] if r.get("type") == "SCALAR"}
                    infos = []
                    while (next_task < a.tasks and free.get("cpus", 0) >= a.cpus
                           and free.get("mem", 0) >= a.mem):
                        free["cpus"] -= a.cpus
                        free["mem"] -= a.mem
                        infos.append({
                            "name": "t%d" % next_task,
                            "task_id": {"value": "t%d" % next_task},
                            "agent_id": offer["agent_id"],
                            "resources": [
                                {"name": "cpus", "type": "SCALAR", "scalar": {"value": a.cpus}},
                                {"name": "mem", "type": "SCALAR", "scalar": {"value": a.mem}}],
                            "command": {"value": "true"}})
                        next_task += 1
                    if infos:
                        call({"type": "ACCEPT", "accept": {
                            "offer_ids": [offer["id"]],
                            "operations": [{"type": "LAUNCH", "launch": {"task_infos": infos}}],
                            "filters": {"refuse_seconds": 0}}})
                    else:
                        call({"type": "DECLINE", "decline": {"offer_ids": [offer["id"]]}})
            elif kind == "UPDATE":
                status = event["update"]["status"]
                if "uuid" in status:
                    call({"type": "ACKNOWLEDGE", "acknowledge": {
                        "agent_id": status["agent_id"], "task_id": status["task_id"],
                        "uuid": status["uuid"]}})
                if status["state"] in ("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED",
                                       "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
                                       "TASK_GONE"):
                    done += 1
    wall = time.monotonic() - t0
    print("naive framework: %d tasks, SUBSCRIBE -> last terminal update %.3f s "
          "(%.0f tasks/s)" % (a.tasks, wall, a.tasks / wall))
    call({"type": "TEARDOWN"})


if __name__ == "__main__":
    main()
