#include "sim/io_thread.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <future>

namespace outrigger::sim {

namespace asio = boost::asio;

io_thread::io_thread() : context_(std::make_unique<asio::io_context>(1)) {
  thread_ = std::thread([ctx = context_.get()] {
    // The guard keeps run() from returning while the loop is idle.
    auto guard = asio::make_work_guard(*ctx);
    ctx->run();
  });
}

io_thread::~io_thread() {
  stop();
}

void io_thread::post(std::function<void()> fn) {
  asio::post(*context_, std::move(fn));
}

void io_thread::call(std::function<void()> fn) {
  if (on_thread()) {
    fn();
    return;
  }
  std::promise<void> done;
  auto result = done.get_future();
  asio::post(*context_, [&] {
    try {
      fn();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  result.get();
}

bool io_thread::on_thread() const noexcept {
  return std::this_thread::get_id() == thread_.get_id();
}

void io_thread::stop() {
  if (!thread_.joinable())
    return;
  context_->stop();
  thread_.join();
}

} // namespace outrigger::sim
