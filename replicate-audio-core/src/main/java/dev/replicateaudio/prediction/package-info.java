/**
 * Replicate's predictions as the core sees them: {@link dev.replicateaudio.prediction.PredictionRequest}
 * (a model, version or deployment, its input, the webhook and its events filter, {@code Cancel-After}),
 * the {@link dev.replicateaudio.prediction.Prediction} that the API returns and webhooks deliver, and
 * its {@link dev.replicateaudio.prediction.PredictionStatus}. Every argument and return value is
 * non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.prediction;
