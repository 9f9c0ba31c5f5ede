package sdpo4j.env;

/** Scores responses to tasks and says what was wrong, in words a model can read. */
public interface Environment {
    /** The name configs select it by. */
    String name();

    /** Checks a task's environment-specific fields; throws {@link DatasetException.Field} naming the field and reason. */
    void validate(Task task);

    Score score(Task task, String response);
}
