// JavaTrace writes a log line to stderr and then dies of an uncaught
// exception with a cause and a suppressed exception, so that tests can check
// JavaStackTracePattern against what a JVM really prints. java.txt and
// java-message.txt beside this directory were made with
//
//	javac -d /tmp/jt javatrace/JavaTrace.java && java -cp /tmp/jt JavaTrace 2>java.txt
//	java -cp /tmp/jt JavaTrace message 2>java-message.txt
public class JavaTrace {
    static String message = "bad input";

    static void inner(int n) {
        if (n == 0) {
            throw new IllegalArgumentException(message);
        }
        inner(n - 1);
    }

    static void outer() {
        try {
            inner(2);
        } catch (IllegalArgumentException e) {
            IllegalStateException ex = new IllegalStateException("outer failed", e);
            ex.addSuppressed(new RuntimeException("cleanup failed"));
            throw ex;
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("message")) {
            message = "bad input\nsecond line of the message";
        }
        System.err.println("2025-01-01T00:00:00Z INFO starting");
        System.err.flush();
        outer();
    }
}
