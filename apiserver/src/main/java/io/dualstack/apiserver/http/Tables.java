package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;

import io.dualstack.apiserver.table.TableConvertor;

import java.time.Instant;
import java.util.List;

/**
 * Server-side tables ({@code meta.k8s.io/v1 Table}). Row cells come from a {@link RowPrinter}
 * (upstream's printers, supplied by the table package).
 */
public final class Tables {
    private Tables() {}

    /** Column definitions and cells for one resource type. */
    public interface RowPrinter {
        /** Column definitions ({@code name,type,format,description,priority}). */
        ArrayNode columns(ResourceType type);

        /** One row's cells for {@code obj}. */
        List<Object> cells(ResourceType type, JsonNode obj);
    }

    /** Upstream's printers' columns ({@link TableConvertor}); priority 1 columns show with {@code -o wide}. */
    public static final RowPrinter DEFAULT = new RowPrinter() {
        @Override
        public ArrayNode columns(ResourceType type) {
            ArrayNode cols = Json.NODES.arrayNode();
            for (TableConvertor.Column c : TableConvertor.columns(type)) {
                cols.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                        .put("description", c.description()).put("priority", c.priority());
            }
            return cols;
        }

        @Override
        public List<Object> cells(ResourceType type, JsonNode obj) {
            return TableConvertor.cells(type, obj, Instant.now());
        }
    };

    /** {@code includeObject}: None, Metadata (default) or Object. */
    public static ObjectNode table(RowPrinter printer, ResourceType type, List<ObjectNode> objects, String resourceVersion,
                                   String continueToken, String includeObject, boolean withColumns) {
        ObjectNode t = Json.NODES.objectNode();
        t.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = t.putObject("metadata");
        if (!resourceVersion.isEmpty()) meta.put("resourceVersion", resourceVersion);
        if (!continueToken.isEmpty()) meta.put("continue", continueToken);
        if (withColumns) t.set("columnDefinitions", printer.columns(type));
        ArrayNode rows = t.putArray("rows");
        for (ObjectNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object c : printer.cells(type, o)) cells.add(Json.MAPPER.valueToTree(c));
            switch (includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", o);
                default -> {
                    ObjectNode p = row.putObject("object");
                    p.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                    p.set("metadata", o.path("metadata"));
                }
            }
        }
        return t;
    }
}
