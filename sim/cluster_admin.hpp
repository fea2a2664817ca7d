#pragma once
// The admin API of a simulated cluster: fault injection and status over
// HTTP, on its own port (a master's own port would die with the master it
// kills). These are not Mesos routes. Requests are POSTs with a small JSON
// object as body (an empty body counts as `{}`); answers are JSON; bad input
// gets 400 with a text/plain message naming what is wrong, an action the
// cluster's state does not allow (no leader to act on) 409, an unknown route
// 404, a wrong method 405 with Allow. Masters are numbered from 1, as the
// executable prints them.
//
//   GET  /sim/status                        the status document (below)
//   POST /sim/cut-streams                   cut the leader's streams (TCP)
//   POST /sim/heartbeats   {"paused":true}  stop / resume HEARTBEATs
//   POST /sim/delay        {"ms":500}       hold every response (0: off)
//   POST /sim/drop-calls   {"count":3}      202 but no effect, next N calls
//   POST /sim/unavailable  {"ms":2000}      503 "Master has not finished
//                                           recovery" for a while
//   POST /sim/fail-over                     kill the leader, restart it as
//                                           a standby; the next one leads
//   POST /sim/kill-master    {"master":2}   kill master 2
//   POST /sim/start-master   {"master":2}   start it again (new id)
//   POST /sim/restart-master {"master":2}   both: it forgets its frameworks
//   POST /sim/lose-agent   {"agent":"<id>","how":"partition"|"disconnected"}
//   POST /sim/return-agent {"agent":"<id>","tasks_lost":false}
//   POST /sim/remove-agent {"agent":"<id>"}  MARK_AGENT_GONE
//   POST /sim/add-agents   {"count":2,"mode":"synthetic"|"exec",
//                           "resources":"cpus:4;mem:8192",
//                           "attributes":"rack:r1","port":5051}
//   POST /sim/teardown     {"framework":"<id>"}  an operator's teardown
//                                           (/master/teardown) on the
//                                           leader; no id: every framework.
//                                           Answers {"ok":true,"removed":N}
//   POST /sim/election-lag {"ms":2000}      the next master elected notices
//                                           it this late (307 meanwhile)
//
// Actions answer {"ok":true} (add-agents also "agents": the new ids, empty
// while no master leads: they register with the first leader).
//
// The status document:
//   {"leader":1,
//    "masters":[{"master":1,"url":"http://127.0.0.1:5050","alive":true,
//                "leading":true,"id":"<MasterInfo.id>"},...],
//    "agents":[{"id":"<id>","hostname":"localhost","port":5051,
//               "status":"active","tasks":1},...],
//    "agents_in_transit":0,
//    "frameworks":{"registered":1,"connected":["<id>"],"completed":0},
//    "offers":1,
//    "tasks":{"TASK_RUNNING":1},
//    "launches":1,
//    "launched_twice":[]}
// where agents, frameworks, offers and tasks are those of the master that
// hosts the agents (the leader; none while no master leads); launches
// counts the tasks synthetic agents were asked to run over the cluster's
// life, and launched_twice names task ids launched more than once.

#include "sim/cluster.hpp"
