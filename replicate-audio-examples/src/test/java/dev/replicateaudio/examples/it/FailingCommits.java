package dev.replicateaudio.examples.it;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A data source whose connections refuse to commit when the committing thread was told to expect
 * it: the transaction is rolled back on the real connection and {@code commit()} throws an
 * {@link SQLException} with SQLState {@code 08006}, as when the server goes away at commit time.
 * Everything else passes through. Thread-safe.
 */
final class FailingCommits {
  private final ThreadLocal<Boolean> failNextCommit = new ThreadLocal<>();
  private final AtomicInteger failed = new AtomicInteger();

  /** The next commit on the calling thread fails. */
  void failNextCommitOnThisThread() {
    failNextCommit.set(Boolean.TRUE);
  }

  /** Forgets an armed failure on the calling thread that no commit used. */
  void disarm() {
    failNextCommit.remove();
  }

  /** How many commits failed. */
  int failed() {
    return failed.get();
  }

  DataSource wrap(DataSource real) {
    return proxy(DataSource.class, real, (method, args) -> {
      Object result = invoke(real, method, args);
      return result instanceof Connection ? connection((Connection) result) : result;
    });
  }

  private Connection connection(Connection real) {
    return proxy(Connection.class, real, (method, args) -> {
      if (method.getName().equals("commit") && Boolean.TRUE.equals(failNextCommit.get())) {
        failNextCommit.remove();
        failed.incrementAndGet();
        real.rollback();
        throw new SQLException("injected: the connection broke while committing; the server rolled back", "08006");
      }
      return invoke(real, method, args);
    });
  }

  private interface Call {
    Object call(Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T real, Call call) {
    InvocationHandler h = (p, method, args) -> {
      if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
        return invoke(real, method, args);
      }
      return call.call(method, args);
    };
    return type.cast(Proxy.newProxyInstance(FailingCommits.class.getClassLoader(), new Class<?>[] {type}, h));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
