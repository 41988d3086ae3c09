package io.lodestar.operators.reward.remote;

import java.net.URI;

/**
 * One HTTP POST a scorer wants sent: where, the JSON body, and the tokens it is estimated to cost
 * (for the tokens-per-minute budget).
 */
public record RemoteRequest(URI uri, byte[] body, long estimatedTokens) {}
