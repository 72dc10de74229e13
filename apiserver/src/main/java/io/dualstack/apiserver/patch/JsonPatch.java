package io.dualstack.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ApiException;

import java.util.ArrayList;
import java.util.List;

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test (paths are RFC 6901 pointers). */
public final class JsonPatch {
    private JsonPatch() {}

    public static JsonNode apply(JsonNode doc, JsonNode patch) {
        if (!patch.isArray()) throw ApiException.badRequest("json patch must be an array of operations");
        JsonNode root = doc.deepCopy();
        int i = 0;
        for (JsonNode op : patch) {
            String kind = op.path("op").asText("");
            String path = op.path("path").asText(null);
            if (path == null) throw ApiException.badRequest("the server rejected our request due to an error in our request: operation " + i + " has no path");
            switch (kind) {
                case "add" -> root = add(root, path, value(op, i));
                case "remove" -> root = remove(root, path);
                case "replace" -> {
                    get(root, path);
                    root = remove(root, path);
                    root = add(root, path, value(op, i));
                }
                case "move" -> {
                    String from = op.path("from").asText("");
                    JsonNode v = get(root, from).deepCopy();
                    root = remove(root, from);
                    root = add(root, path, v);
                }
                case "copy" -> root = add(root, path, get(root, op.path("from").asText("")).deepCopy());
                case "test" -> {
                    if (!get(root, path).equals(value(op, i))) throw ApiException.badRequest("testing value " + path + " failed: test failed");
                }
                default -> throw ApiException.badRequest("Unexpected kind: " + kind);
            }
            i++;
        }
        return root;
    }

    private static JsonNode value(JsonNode op, int i) {
        if (!op.has("value")) throw ApiException.badRequest("operation " + i + " has no value");
        return op.get("value").deepCopy();
    }

    static List<String> tokens(String pointer) {
        if (pointer.isEmpty()) return List.of();
        if (!pointer.startsWith("/")) throw ApiException.badRequest("invalid JSON pointer: " + pointer);
        List<String> out = new ArrayList<>();
        for (String s : pointer.substring(1).split("/", -1)) out.add(s.replace("~1", "/").replace("~0", "~"));
        return out;
    }

    private static JsonNode get(JsonNode root, String pointer) {
        JsonNode n = root;
        for (String t : tokens(pointer)) {
            if (n.isObject()) n = n.get(t);
            else if (n.isArray()) n = n.get(index(t, n.size() - 1));
            else n = null;
            if (n == null) throw missing(pointer);
        }
        return n;
    }

    private static ApiException missing(String pointer) {
        return ApiException.badRequest("the server rejected our request due to an error in our request: jsonpatch: path " + pointer + " does not exist");
    }

    private static int index(String t, int max) {
        try {
            int i = Integer.parseInt(t);
            if (i < 0 || i > max) throw ApiException.badRequest("Unable to access invalid index: " + i);
            return i;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid array index: " + t);
        }
    }

    private static JsonNode add(JsonNode root, String pointer, JsonNode value) {
        List<String> toks = tokens(pointer);
        if (toks.isEmpty()) return value;
        JsonNode parent = get(root, parentOf(pointer));
        String last = toks.get(toks.size() - 1);
        if (parent.isObject()) ((ObjectNode) parent).set(last, value);
        else if (parent.isArray()) {
            ArrayNode a = (ArrayNode) parent;
            if (last.equals("-")) a.add(value);
            else a.insert(index(last, a.size()), value);
        } else throw missing(pointer);
        return root;
    }

    private static JsonNode remove(JsonNode root, String pointer) {
        List<String> toks = tokens(pointer);
        if (toks.isEmpty()) throw ApiException.badRequest("cannot remove the document root");
        JsonNode parent = get(root, parentOf(pointer));
        String last = toks.get(toks.size() - 1);
        if (parent.isObject()) {
            if (!parent.has(last)) throw missing(pointer);
            ((ObjectNode) parent).remove(last);
        } else if (parent.isArray()) {
            ((ArrayNode) parent).remove(index(last, parent.size() - 1));
        } else throw missing(pointer);
        return root;
    }

    private static String parentOf(String pointer) {
        return pointer.substring(0, pointer.lastIndexOf('/'));
    }
}
