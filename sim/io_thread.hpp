#pragma once
// One Asio io_context run by one thread: the home of the simulator's I/O
// (HTTP server, subprocess reaping) and of everything those touch (the
// endpoint, the task listener). Code on other threads reaches it only
// through post() and call(), so nothing below needs a lock.

#include <functional>
#include <memory>
#include <thread>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::sim {

/// An io_context with its own thread, running from construction until
/// stop() or destruction.
class io_thread {
public:
  /// Starts the thread.
  io_thread();

  /// Stops the loop and joins the thread (handlers still queued are
  /// destroyed without running).
  ~io_thread();

  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  /// The io_context to build sockets and timers on.
  boost::asio::io_context& context() noexcept { return *context_; }

  /// Runs `fn` on the io thread, later. Thread-safe.
  void post(std::function<void()> fn);

  /// Runs `fn` on the io thread and waits until it has run; exceptions
  /// propagate to the caller. Runs inline when called on the io thread.
  /// @pre the loop is running (not stopped).
  void call(std::function<void()> fn);

  /// True when the calling thread is the io thread.
  bool on_thread() const noexcept;

  /// Stops the loop and joins the thread; idempotent. Not from the io thread.
  void stop();

private:
  std::unique_ptr<boost::asio::io_context> context_;
  std::thread thread_;
};

} // namespace outrigger::sim
