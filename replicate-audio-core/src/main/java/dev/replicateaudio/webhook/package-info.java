/**
 * Receiving Replicate's webhooks: {@link dev.replicateaudio.webhook.WebhookVerifier} checks their
 * Standard Webhooks signature, {@link dev.replicateaudio.webhook.WebhookUrls} puts the content key in
 * each prediction's webhook URL and reads it back, {@link dev.replicateaudio.webhook.WebhookResultProcessor}
 * turns a delivered prediction into stored audio and a woken waiter, and
 * {@link dev.replicateaudio.webhook.WebhookRecovery} finishes the jobs whose webhook never came.
 * Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.webhook;
