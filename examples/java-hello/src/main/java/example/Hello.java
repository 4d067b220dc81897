package example;

import java.util.Map;

import org.apache.commons.lang3.StringUtils;

/** Greets the caller; Lambda calls handleRequest with the event decoded into a Map. */
public class Hello {
    public Map<String, String> handleRequest(Map<String, Object> event) {
        Object name = event == null ? null : event.get("name");
        String who = StringUtils.defaultIfBlank(name == null ? null : name.toString(), "world");
        return Map.of("message", "Hello " + StringUtils.capitalize(who));
    }
}
