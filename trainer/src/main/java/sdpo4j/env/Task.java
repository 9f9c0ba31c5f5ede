package sdpo4j.env;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One task of a dataset: its prompt and the environment-specific fields of its JSONL line.
 *
 * @param id the line's {@code id}, or {@code <file>:<line>} when it has none
 * @param prompt what the policy is asked
 * @param fields the whole JSON object of the line (answer, tests, options, ...)
 */
public record Task(String id, String prompt, JsonNode fields) {}
