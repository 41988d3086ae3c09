package io.lodestar.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Streams of one type that several stages contribute to (dead letters, set-aside groups): each
 * stage adds its side output here, and the graph unions them once, in the order they were added.
 */
final class UnionCollector<T> {

  private final String what;
  private final List<DataStream<T>> streams = new ArrayList<>();
  private boolean unioned;

  /** {@code what} names the streams in the errors below. */
  UnionCollector(String what) {
    this.what = what;
  }

  void add(DataStream<T> stream) {
    if (unioned) {
      // A stream added after the union would be silently left out of its output.
      throw new IllegalStateException(what + " were already unioned; add every stream before");
    }
    streams.add(Objects.requireNonNull(stream, what));
  }

  /** Every stream added, as one; no more may be added after. */
  @SuppressWarnings("unchecked")
  DataStream<T> union() {
    if (streams.isEmpty()) {
      throw new IllegalStateException("no stream of " + what + " was added");
    }
    unioned = true;
    DataStream<T> first = streams.get(0);
    if (streams.size() == 1) {
      return first;
    }
    return first.union(streams.subList(1, streams.size()).toArray(new DataStream[0]));
  }
}
