// A plain Java runtime loop, run in source-file mode (java -cp <function's classpath> JavaPlain.java <handler>):
// load the handler (package.Class::method, or package.Class and its handleRequest), then call it for each
// invocation of the Runtime API. genesys's stand-in for the Java runtime client, which is not on the machine:
// events decode to Map/List/String/Number/Boolean (or a class's setters and public fields), results encode
// from the same and from getters; InputStream/OutputStream handlers get the raw bytes; a Context parameter
// (any interface) answers the request id, the function's names, memory and the time left.
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class JavaPlain {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String base;

    public static void main(String[] args) throws Exception {
        base = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
        String name = System.getenv().getOrDefault("_HANDLER", args.length > 0 ? args[0] : "");
        Object target;
        Method method;
        try {
            String[] parts = name.split("::", 2);
            Class<?> type = Class.forName(parts[0], true, Thread.currentThread().getContextClassLoader());
            method = find(type, parts.length > 1 ? parts[1] : "handleRequest");
            if (method == null) {
                throw new Failure("Runtime.HandlerNotFound", "no public method " + (parts.length > 1 ? parts[1]
                        : "handleRequest") + " with 1 to 3 parameters in " + parts[0]);
            }
            target = Modifier.isStatic(method.getModifiers()) ? null : type.getDeclaredConstructor().newInstance();
        } catch (Failure failure) {
            initError(failure.type, failure.getMessage(), failure);
            return;
        } catch (ClassNotFoundException err) {
            initError("Runtime.ClassNotFound", "Class not found: " + err.getMessage(), err);
            return;
        } catch (Throwable err) {
            Throwable cause = err instanceof InvocationTargetException ? err.getCause() : err;
            initError(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
            return;
        }
        while (true) {
            HttpResponse<byte[]> next = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/invocation/next")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElse("");
            long deadline = Long.parseLong(next.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElse("0"));
            String arn = next.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn").orElse("");
            try {
                byte[] out = call(target, method, next.body(), id, deadline, arn);
                post("/invocation/" + id + "/response", out, null);
            } catch (Throwable err) {
                Throwable cause = err instanceof InvocationTargetException ? err.getCause() : err;
                String type = cause instanceof Failure ? ((Failure) cause).type : cause.getClass().getName();
                byte[] body = error(type, String.valueOf(cause.getMessage()), cause);
                System.err.println("ERROR Invoke Error " + new String(body, StandardCharsets.UTF_8));
                post("/invocation/" + id + "/error", body, "Unhandled");
            }
        }
    }

    static class Failure extends RuntimeException {
        final String type;

        Failure(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    /** The public method ``name`` of ``type`` with the most parameters (1 to 3), as the Java runtime picks it. */
    static Method find(Class<?> type, String name) {
        Method best = null;
        for (Method method : type.getMethods()) {
            int count = method.getParameterCount();
            if (method.getName().equals(name) && count >= 1 && count <= 3 && !method.isBridge()
                    && (best == null || count > best.getParameterCount())) {
                best = method;
            }
        }
        return best;
    }

    static byte[] call(Object target, Method method, byte[] event, String id, long deadline, String arn)
            throws Exception {
        Class<?>[] types = method.getParameterTypes();
        Object[] values = new Object[types.length];
        ByteArrayOutputStream stream = null;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == InputStream.class) {
                values[i] = new ByteArrayInputStream(event);
            } else if (types[i] == OutputStream.class) {
                values[i] = stream = new ByteArrayOutputStream();
            } else if (i > 0) {  // after the event: Lambda's Context (an interface of aws-lambda-java-core)
                values[i] = types[i].isInterface() ? context(types[i], id, deadline, arn) : null;
            } else {
                values[i] = convert(new Json(new String(event, StandardCharsets.UTF_8)).value(), types[i]);
            }
        }
        Object result = method.invoke(target, values);
        if (stream != null) {
            return stream.toByteArray();
        }
        StringBuilder out = new StringBuilder();
        write(result, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Object context(Class<?> type, String id, long deadline, String arn) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "getAwsRequestId": return id;
                case "getFunctionName": return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
                case "getFunctionVersion": return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
                case "getInvokedFunctionArn": return arn;
                case "getLogGroupName": return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
                case "getLogStreamName": return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
                case "getMemoryLimitInMB": return Integer.parseInt(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
                case "getRemainingTimeInMillis": return (int) Math.max(deadline - System.currentTimeMillis(), 0);
                case "getLogger": return logger(method.getReturnType());
                case "toString": return "Context(" + id + ")";
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: return zero(method.getReturnType());
            }
        });
    }

    static Object logger(Class<?> type) {
        if (!type.isInterface()) {
            return null;
        }
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("log") && args != null && args.length > 0) {
                Object line = args[0] instanceof byte[] ? new String((byte[]) args[0], StandardCharsets.UTF_8) : args[0];
                System.out.println(line);
            }
            return zero(method.getReturnType());
        });
    }

    static Object zero(Class<?> type) {
        if (type == boolean.class) return false;
        if (type == int.class) return 0;
        if (type == long.class) return 0L;
        if (type == double.class) return 0.0;
        return null;
    }

    // ------------------------------------------------------------ JSON in and out

    static final class Json {
        final String text;
        int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skip();
            if (at >= text.length()) return null;
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                skip();
                if (text.charAt(at) == '}') { at++; return map; }
                while (true) {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                    if (text.charAt(at++) == '}') return map;
                }
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                skip();
                if (text.charAt(at) == ']') { at++; return list; }
                while (true) {
                    list.add(value());
                    skip();
                    if (text.charAt(at++) == ']') return list;
                }
            }
            if (c == '"') return string();
            if (text.startsWith("true", at)) { at += 4; return true; }
            if (text.startsWith("false", at)) { at += 5; return false; }
            if (text.startsWith("null", at)) { at += 4; return null; }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            String number = text.substring(start, at);
            if (number.isEmpty()) throw new Failure("Runtime.UnmarshalError", "not JSON at offset " + start);
            if (number.matches("-?\\d+") && number.length() < 19) return Long.parseLong(number);
            return Double.parseDouble(number);
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
                    default: out.append(e);
                }
            }
        }

        void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw new Failure("Runtime.UnmarshalError", "not JSON: expected '" + c + "' at offset " + at);
            }
            at++;
        }
    }

    /** A decoded JSON value as ``type``: itself for Object/Map/List/String, a number's boxed kind, or a class's setters. */
    static Object convert(Object value, Class<?> type) throws Exception {
        if (value == null || type == Object.class || type.isInstance(value)) return value;
        if (value instanceof Number) {
            Number n = (Number) value;
            if (type == int.class || type == Integer.class) return n.intValue();
            if (type == long.class || type == Long.class) return n.longValue();
            if (type == double.class || type == Double.class) return n.doubleValue();
            if (type == float.class || type == Float.class) return n.floatValue();
        }
        if (type == String.class) {
            StringBuilder out = new StringBuilder();
            write(value, out);
            return out.toString();
        }
        if (value instanceof Map) {
            Object bean = type.getDeclaredConstructor().newInstance();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                String key = String.valueOf(entry.getKey());
                String setter = "set" + Character.toUpperCase(key.charAt(0)) + key.substring(1);
                Method found = Arrays.stream(type.getMethods())
                        .filter(m -> m.getName().equals(setter) && m.getParameterCount() == 1).findFirst().orElse(null);
                if (found != null) {
                    found.invoke(bean, convert(entry.getValue(), found.getParameterTypes()[0]));
                    continue;
                }
                try {
                    Field field = type.getField(key);
                    field.set(bean, convert(entry.getValue(), field.getType()));
                } catch (NoSuchFieldException ignored) {
                    // a key the class has no property for is left out, as Jackson's lenient mapping does
                }
            }
            return bean;
        }
        throw new Failure("Runtime.UnmarshalError", "cannot turn " + value.getClass().getSimpleName()
                + " into " + type.getName());
    }

    static void write(Object value, StringBuilder out) throws Exception {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String || value instanceof Character || value instanceof Enum) {
            quote(String.valueOf(value), out);
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!first) out.append(',');
                first = false;
                quote(String.valueOf(entry.getKey()), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof Collection || value.getClass().isArray()) {
            Collection<?> items = value instanceof Collection ? (Collection<?>) value : arrayList(value);
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) out.append(',');
                first = false;
                write(item, out);
            }
            out.append(']');
        } else {
            Map<String, Object> properties = new LinkedHashMap<>();
            Method[] getters = value.getClass().getMethods();
            Arrays.sort(getters, Comparator.comparing(Method::getName));
            for (Method getter : getters) {
                String name = getter.getName();
                int skip = name.startsWith("get") ? 3 : name.startsWith("is") ? 2 : 0;
                if (skip == 0 || name.length() == skip || getter.getParameterCount() != 0
                        || getter.getDeclaringClass() == Object.class || Modifier.isStatic(getter.getModifiers())) {
                    continue;
                }
                properties.put(Character.toLowerCase(name.charAt(skip)) + name.substring(skip + 1), getter.invoke(value));
            }
            for (Field field : value.getClass().getFields()) {
                if (!Modifier.isStatic(field.getModifiers())) properties.putIfAbsent(field.getName(), field.get(value));
            }
            write(properties, out);
        }
    }

    static List<Object> arrayList(Object array) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) items.add(java.lang.reflect.Array.get(array, i));
        return items;
    }

    static void quote(String text, StringBuilder out) {
        out.append('"');
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        out.append('"');
    }

    // ------------------------------------------------------------ errors

    static byte[] error(String type, String message, Throwable err) {
        StringBuilder out = new StringBuilder("{\"errorType\":");
        quote(type, out);
        out.append(",\"errorMessage\":");
        quote(message, out);
        out.append(",\"stackTrace\":[");
        StackTraceElement[] trace = err == null ? new StackTraceElement[0] : err.getStackTrace();
        for (int i = 0; i < trace.length; i++) {
            if (i > 0) out.append(',');
            quote(trace[i].toString(), out);
        }
        return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static void initError(String type, String message, Throwable err) throws Exception {
        System.err.println("ERROR " + type + ": " + message);
        post("/init/error", error(type, message, err), type);
        System.exit(1);
    }

    static void post(String route, byte[] body, String errorType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + route))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (errorType != null) request.header("Lambda-Runtime-Function-Error-Type", errorType);
        HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }
}
