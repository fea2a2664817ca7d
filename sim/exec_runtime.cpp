#include "sim/exec_runtime.hpp"

#include "sim/process.hpp"
#include "sim/sandbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <map>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace outrigger::sim {

namespace asio = boost::asio;
using boost::system::error_code;
using protocol::task_state;
using steady = std::chrono::steady_clock;

namespace {

// One task's process.
struct proc {
  proc(asio::io_context& context) : escalation(context), completion(context) {}
  protocol::AgentID agent;
  protocol::FrameworkID framework;
  protocol::TaskID task;
  pid_t pid = -1;
  std::optional<asio::posix::stream_descriptor> pidfd; // unset: polled
  asio::steady_timer escalation;                       // SIGKILL after grace
  asio::steady_timer completion;                       // max_completion_time
  std::optional<steady::time_point> kill_deadline;
  bool killed = false;
  bool by_completion_timer = false;
  bool silent = false; // shutdown_framework: no more reports
  bool exited = false;
};

} // namespace

class exec_runtime::impl : public std::enable_shared_from_this<impl> {
public:
  impl(asio::io_context& context, task_listener& listener, exec_options options)
    : context_(context), listener_(listener), options_(std::move(options)),
      poll_timer_(context) {}

  std::filesystem::path task_dir(const std::string& agent,
                                 const std::string& framework,
                                 const std::string& task) const {
    return task_runs_dir(options_.work_dir, agent, framework, task);
  }

  void launch(const protocol::AgentID& agent,
              const protocol::FrameworkID& framework,
              const protocol::TaskInfo& task);
  void kill(const protocol::AgentID& agent, const protocol::TaskID& task,
            std::chrono::milliseconds grace, bool killing_state);
  void shutdown_framework(const protocol::AgentID& agent,
                          const protocol::FrameworkID& framework);
  void shutdown();
  std::size_t running() const noexcept { return procs_.size(); }

private:
  using key = std::pair<std::string, std::string>; // agent, task

  void emit(const std::shared_ptr<proc>& p, const protocol::AgentID& agent,
            const protocol::FrameworkID& framework,
            const protocol::TaskID& task, task_state state,
            std::string message = {},
            std::optional<protocol::status_reason> reason = std::nullopt);
  void watch_exit(const std::shared_ptr<proc>& p);
  void arm_poll();
  void on_exit(const std::shared_ptr<proc>& p);
  void terminate(const std::shared_ptr<proc>& p,
                 std::chrono::milliseconds grace);
  void escalate_at(const std::shared_ptr<proc>& p, steady::time_point when);

  asio::io_context& context_;
  task_listener& listener_;
  exec_options options_;
  asio::steady_timer poll_timer_;
  bool polling_ = false;
  bool stopped_ = false;
  std::map<key, std::shared_ptr<proc>> procs_;
};

void exec_runtime::impl::emit(const std::shared_ptr<proc>& p,
                              const protocol::AgentID& agent,
                              const protocol::FrameworkID& framework,
                              const protocol::TaskID& task, task_state state,
                              std::string message,
                              std::optional<protocol::status_reason> reason) {
  // Posted: the caller may be the listener itself (launch from an ACCEPT).
  asio::post(context_, [self = weak_from_this(), p, agent, framework, task,
                        state, message = std::move(message), reason] {
    auto me = self.lock();
    if (!me || me->stopped_ || (p && p->silent))
      return;
    me->listener_.on_task_state(agent, framework, task, state, message, reason);
  });
}

void exec_runtime::impl::launch(const protocol::AgentID& agent,
                                const protocol::FrameworkID& framework,
                                const protocol::TaskInfo& task) {
  using reason = protocol::status_reason;
  auto fail = [&](std::string message, reason why) {
    emit(nullptr, agent, framework, task.task_id, task_state::failed,
         std::move(message), why);
  };
  if (!task.command)
    return fail("exec agents run command tasks only (no custom executors)",
                reason::command_executor_failed);
  const auto& command = *task.command;
  if (!path_safe(agent.value) || !path_safe(framework.value) ||
      !path_safe(task.task_id.value))
    return fail("Ids must be usable as directory names",
                reason::container_launch_failed);
  if (procs_.count({agent.value, task.task_id.value}))
    return fail("Task " + task.task_id.value + " already runs on this agent",
                reason::container_launch_failed);
  if (procs_.size() >= options_.max_processes)
    return fail("Too many processes on this simulator (limit " +
                  std::to_string(options_.max_processes) + ")",
                reason::container_launch_failed);

  std::error_code ec;
  auto sandbox = create_run_dir(
    task_dir(agent.value, framework.value, task.task_id.value), ec);
  if (ec)
    return fail("Failed to create the sandbox: " + ec.message(),
                reason::container_launch_failed);

  // The command executor reports STARTING before it forks.
  emit(nullptr, agent, framework, task.task_id, task_state::starting);

  spawn_request request;
  request.cwd = sandbox;
  request.stdout_file = sandbox / "stdout";
  request.stderr_file = sandbox / "stderr";
  request.env =
    task_environment(options_.inherit_environment, agent.value, framework.value,
                     task.task_id.value, command, sandbox);
  std::string value = command.value.value_or("");
  if (command.shell.value_or(true)) {
    request.program = "/bin/sh";
    request.argv = {"sh", "-c", value};
  } else {
    request.program = value;
    request.argv = command.arguments.empty() ? std::vector<std::string>{value}
                                             : command.arguments;
    request.search_path = true;
  }
  auto started = spawn_process(request);
  if (started.pid <= 0)
    return fail("Failed to launch the command: " + started.error,
                reason::command_executor_failed);

  auto p = std::make_shared<proc>(context_);
  p->agent = agent;
  p->framework = framework;
  p->task = task.task_id;
  p->pid = started.pid;
  procs_[{agent.value, task.task_id.value}] = p;
  watch_exit(p);
  emit(p, agent, framework, task.task_id, task_state::running);

  if (task.max_completion_time) {
    p->completion.expires_after(
      std::chrono::nanoseconds(task.max_completion_time->nanoseconds));
    p->completion.async_wait([self = weak_from_this(), p](error_code ec) {
      auto me = self.lock();
      if (ec || !me || p->exited || p->killed)
        return;
      p->by_completion_timer = true; // TASK_FAILED, not KILLED, no KILLING
      me->terminate(p, std::chrono::milliseconds(0));
    });
  }
}

void exec_runtime::impl::watch_exit(const std::shared_ptr<proc>& p) {
  // The raw call: glibc 2.36's <sys/pidfd.h> is not usable from C++.
  int fd = options_.poll_exits
             ? -1
             : static_cast<int>(::syscall(SYS_pidfd_open, p->pid, 0));
  if (fd < 0) {
    arm_poll(); // kernels before 5.3: no pidfd
    return;
  }
  p->pidfd.emplace(context_, fd);
  p->pidfd->async_wait(asio::posix::descriptor_base::wait_read,
                       [self = weak_from_this(), p](error_code ec) {
                         auto me = self.lock();
                         if (!ec && me)
                           me->on_exit(p);
                       });
}

void exec_runtime::impl::arm_poll() {
  if (polling_)
    return;
  polling_ = true;
  poll_timer_.expires_after(std::chrono::milliseconds(50));
  poll_timer_.async_wait([self = weak_from_this()](error_code ec) {
    auto me = self.lock();
    if (ec || !me)
      return;
    me->polling_ = false;
    std::vector<std::shared_ptr<proc>> polled;
    for (auto& [k, p] : me->procs_)
      if (!p->pidfd)
        polled.push_back(p);
    for (auto& p : polled) {
      siginfo_t info{};
      // WNOWAIT: the zombie keeps the group alive for on_exit's SIGKILL.
      if (::waitid(P_PID, static_cast<id_t>(p->pid), &info,
                   WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == p->pid)
        me->on_exit(p);
    }
    for (auto& [k, p] : me->procs_)
      if (!p->pidfd)
        return me->arm_poll();
  });
}

void exec_runtime::impl::on_exit(const std::shared_ptr<proc>& p) {
  if (p->exited)
    return;
  p->exited = true;
  // The leader is a zombie until reaped, so the group id is still ours:
  // whatever it left behind goes with it.
  signal_group(p->pid, SIGKILL);
  int status = 0;
  while (::waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
  }
  p->escalation.cancel();
  p->completion.cancel();
  p->pidfd.reset();
  procs_.erase({p->agent.value, p->task.value});

  task_state state;
  std::optional<protocol::status_reason> reason;
  if (p->by_completion_timer) {
    state = task_state::failed;
    reason = protocol::status_reason::max_completion_time_reached;
  } else if (p->killed) {
    state = task_state::killed;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    state = task_state::finished;
  } else {
    state = task_state::failed;
  }
  emit(p, p->agent, p->framework, p->task, state,
       "Command " + describe_wait_status(status), reason);
}

void exec_runtime::impl::terminate(const std::shared_ptr<proc>& p,
                                   std::chrono::milliseconds grace) {
  p->killed = true;
  signal_group(p->pid, SIGTERM);
  escalate_at(p, steady::now() + grace);
}

void exec_runtime::impl::escalate_at(const std::shared_ptr<proc>& p,
                                     steady::time_point when) {
  p->kill_deadline = when;
  p->escalation.expires_at(when);
  p->escalation.async_wait([p](error_code ec) {
    if (!ec && !p->exited)
      signal_group(p->pid, SIGKILL);
  });
}

void exec_runtime::impl::kill(const protocol::AgentID& agent,
                              const protocol::TaskID& task,
                              std::chrono::milliseconds grace,
                              bool killing_state) {
  auto it = procs_.find({agent.value, task.value});
  if (it == procs_.end() || it->second->exited)
    return; // unknown or already finished: nothing to do
  auto p = it->second;
  if (p->killed) {
    // A retried kill may shorten the grace, never lengthen it.
    auto when = steady::now() + grace;
    if (!p->kill_deadline || when < *p->kill_deadline)
      escalate_at(p, when);
    return;
  }
  if (killing_state)
    emit(p, p->agent, p->framework, p->task, task_state::killing);
  terminate(p, grace);
}

void exec_runtime::impl::shutdown_framework(
  const protocol::AgentID& agent, const protocol::FrameworkID& framework) {
  for (auto& [k, p] : procs_) {
    if (p->agent != agent || p->framework != framework || p->exited)
      continue;
    p->silent = true;
    if (!p->killed)
      terminate(p, options_.shutdown_grace);
  }
}

void exec_runtime::impl::shutdown() {
  stopped_ = true;
  for (auto& [k, p] : procs_) {
    signal_group(p->pid, SIGKILL);
    while (::waitpid(p->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    p->exited = true;
    p->escalation.cancel();
    p->completion.cancel();
    p->pidfd.reset();
  }
  procs_.clear();
  poll_timer_.cancel();
}

// -- the facade ---------------------------------------------------------------

exec_runtime::exec_runtime(asio::io_context& context, task_listener& listener,
                           exec_options options)
  : impl_(std::make_shared<impl>(context, listener, std::move(options))) {}

exec_runtime::~exec_runtime() {
  impl_->shutdown();
}

void exec_runtime::launch(const protocol::AgentID& agent,
                          const protocol::FrameworkID& framework,
                          const protocol::TaskInfo& task) {
  impl_->launch(agent, framework, task);
}

void exec_runtime::kill(const protocol::AgentID& agent,
                        const protocol::TaskID& task,
                        std::chrono::milliseconds grace, bool killing_state) {
  impl_->kill(agent, task, grace, killing_state);
}

void exec_runtime::shutdown_framework(const protocol::AgentID& agent,
                                      const protocol::FrameworkID& framework) {
  impl_->shutdown_framework(agent, framework);
}

std::filesystem::path
exec_runtime::sandbox(const protocol::AgentID& agent,
                      const protocol::FrameworkID& framework,
                      const protocol::TaskID& task) const {
  return impl_->task_dir(agent.value, framework.value, task.value) / "latest";
}

std::size_t exec_runtime::running() const noexcept {
  return impl_->running();
}

} // namespace outrigger::sim
