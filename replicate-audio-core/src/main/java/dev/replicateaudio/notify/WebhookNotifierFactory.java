package dev.replicateaudio.notify;

/**
 * Where notifiers come from (the seed's {@code WebhookNotifierFactory}): an isolated instance per
 * use, or one shared by the whole JVM.
 *
 * <p>Prefer {@link #createNotifier()} and pass the instance to the pieces that need it (tests stay
 * isolated); {@link #globalNotifier()} serves code that can't be handed one. This class is thread-safe.
 */
public final class WebhookNotifierFactory {
  private WebhookNotifierFactory() {
  }

  /** A new notifier with default settings, sharing nothing with any other. */
  public static WebhookCompletionNotifier createNotifier() {
    return new WebhookCompletionNotifier();
  }

  /** The notifier of this JVM: created on first use, the same instance for every caller and thread. */
  public static WebhookCompletionNotifier globalNotifier() {
    return Global.INSTANCE;
  }

  private static final class Global {
    static final WebhookCompletionNotifier INSTANCE = new WebhookCompletionNotifier();
  }
}
