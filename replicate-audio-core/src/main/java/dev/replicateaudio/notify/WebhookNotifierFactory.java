package dev.replicateaudio.notify;

/**
 * Where notifiers come from (the seed's {@code WebhookNotifierFactory}): an isolated instance per
 * use, or one shared by the whole JVM.
 *
 * <pre>{@code
 * WebhookCompletionNotifier mine = WebhookNotifierFactory.createNotifier();   // tests, one per component
 * WebhookCompletionNotifier shared = WebhookNotifierFactory.globalNotifier(); // code that can't be handed one
 * }</pre>
 *
 * <p>Prefer {@link #createNotifier()} and hand the instance to the pieces that need it (the webhook
 * pipeline notifies it, the waiting code waits on it); tests then stay isolated.
 * {@link #globalNotifier()} serves code that can't be handed one; it can't be closed. For settings
 * other than the defaults use {@link WebhookCompletionNotifier#builder()}.
 *
 * <p>This class is thread-safe.
 */
public final class WebhookNotifierFactory {
  private WebhookNotifierFactory() {
  }

  /**
   * A new notifier with the default settings, sharing nothing with any other (the seed's {@code create_notifier}).
   *
   * @return a new notifier; close it when done
   */
  public static WebhookCompletionNotifier createNotifier() {
    return new WebhookCompletionNotifier();
  }

  /**
   * The notifier of this JVM (the seed's {@code get_global_notifier}): created on first use, the same
   * instance for every caller and thread. Its {@code close()} throws {@link UnsupportedOperationException}.
   *
   * @return the JVM's notifier
   */
  public static WebhookCompletionNotifier globalNotifier() {
    return Global.INSTANCE;
  }

  /** Lazy, thread-safe initialisation by the JVM's class loading (the holder idiom). */
  private static final class Global {
    static final WebhookCompletionNotifier INSTANCE = WebhookCompletionNotifier.createGlobal();
  }
}
