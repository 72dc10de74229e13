package io.dualstack.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Patch semantics: RFC 6902, RFC 7386 and strategic merge patch with upstream's merge keys. */
class PatchTest {
    static final ObjectMapper M = new ObjectMapper();

    static JsonNode j(String s) {
        try {
            return M.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalStateException(s, e);
        }
    }

    static Stream<Arguments> strategic() {
        ResourceType dep = ResourceCatalog.DEPLOYMENTS, svc = ResourceCatalog.SERVICES, pod = ResourceCatalog.PODS;
        String containers = "{'spec':{'containers':[{'name':'a','image':'a:1','ports':[{'containerPort':80}],'env':[{'name':'X','value':'1'}]},{'name':'b','image':'b:1'}]}}";
        return Stream.of(
                Arguments.of("containers merge by name", pod, containers, "{'spec':{'containers':[{'name':'a','image':'a:2'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:2','ports':[{'containerPort':80}],'env':[{'name':'X','value':'1'}]},{'name':'b','image':'b:1'}]}}"),
                Arguments.of("new container is appended", pod, containers, "{'spec':{'containers':[{'name':'c','image':'c:1'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:1','ports':[{'containerPort':80}],'env':[{'name':'X','value':'1'}]},{'name':'b','image':'b:1'},{'name':'c','image':'c:1'}]}}"),
                Arguments.of("$patch: delete removes a list element by key", pod, containers, "{'spec':{'containers':[{'name':'b','$patch':'delete'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:1','ports':[{'containerPort':80}],'env':[{'name':'X','value':'1'}]}]}}"),
                Arguments.of("$patch: replace on a list replaces it", pod, containers, "{'spec':{'containers':[{'name':'z','image':'z'},{'$patch':'replace'}]}}",
                        "{'spec':{'containers':[{'name':'z','image':'z'}]}}"),
                Arguments.of("env merges by name inside a container", pod, containers, "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'2'}]}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:1','ports':[{'containerPort':80}],'env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]},{'name':'b','image':'b:1'}]}}"),
                Arguments.of("container ports merge by containerPort", pod, containers, "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':443}]}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:1','ports':[{'containerPort':80},{'containerPort':443}],'env':[{'name':'X','value':'1'}]},{'name':'b','image':'b:1'}]}}"),
                Arguments.of("service ports merge by port", svc, "{'spec':{'ports':[{'port':80,'name':'http'}]}}", "{'spec':{'ports':[{'port':80,'targetPort':8080}]}}",
                        "{'spec':{'ports':[{'port':80,'name':'http','targetPort':8080}]}}"),
                Arguments.of("ipFamilies is atomic (replaced)", svc, "{'spec':{'ipFamilies':['IPv4']}}", "{'spec':{'ipFamilies':['IPv6','IPv4']}}",
                        "{'spec':{'ipFamilies':['IPv6','IPv4']}}"),
                Arguments.of("null deletes a field", dep, "{'spec':{'replicas':2,'paused':true}}", "{'spec':{'paused':null}}", "{'spec':{'replicas':2}}"),
                Arguments.of("finalizers merge as a set", dep, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['b','a']}}", "{'metadata':{'finalizers':['a','b']}}"),
                Arguments.of("$deleteFromPrimitiveList", dep, "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}", "{'metadata':{'finalizers':['b']}}"),
                Arguments.of("$setElementOrder reorders a merged list", pod, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}", "{'spec':{'containers':[{'name':'b'},{'name':'a'}]}}"),
                Arguments.of("$retainKeys drops unlisted keys", dep, "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
                        "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}", "{'spec':{'strategy':{'type':'Recreate'}}}"),
                Arguments.of("$patch: replace on a map", dep, "{'spec':{'selector':{'matchLabels':{'a':'1'}}}}",
                        "{'spec':{'selector':{'$patch':'replace','matchLabels':{'b':'2'}}}}", "{'spec':{'selector':{'matchLabels':{'b':'2'}}}}"),
                Arguments.of("conditions merge by type", dep, "{'status':{'conditions':[{'type':'Available','status':'False'}]}}",
                        "{'status':{'conditions':[{'type':'Available','status':'True'},{'type':'Progressing','status':'True'}]}}",
                        "{'status':{'conditions':[{'type':'Available','status':'True'},{'type':'Progressing','status':'True'}]}}"),
                Arguments.of("ownerReferences merge by uid", dep, "{'metadata':{'ownerReferences':[{'uid':'1','name':'x'}]}}",
                        "{'metadata':{'ownerReferences':[{'uid':'2','name':'y'}]}}", "{'metadata':{'ownerReferences':[{'uid':'1','name':'x'},{'uid':'2','name':'y'}]}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategic")
    void strategicMergePatch(String name, ResourceType type, String original, String patch, String expected) {
        assertThat(StrategicMergePatch.apply(type, j(original), j(patch))).isEqualTo(j(expected));
    }

    static Stream<Arguments> mergeAndJson() {
        return Stream.of(
                Arguments.of("merge: nested merge and null delete", "merge", "{'a':{'b':1,'c':2}}", "{'a':{'b':null,'d':3}}", "{'a':{'c':2,'d':3}}"),
                Arguments.of("merge: lists are replaced", "merge", "{'l':[1,2]}", "{'l':[3]}", "{'l':[3]}"),
                Arguments.of("json: add to end of list", "json", "{'l':[1]}", "[{'op':'add','path':'/l/-','value':2}]", "{'l':[1,2]}"),
                Arguments.of("json: remove", "json", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}"),
                Arguments.of("json: move", "json", "{'a':1}", "[{'op':'move','from':'/a','path':'/b'}]", "{'b':1}"),
                Arguments.of("json: escaped pointer", "json", "{'m':{'a/b':1}}", "[{'op':'replace','path':'/m/a~1b','value':2}]", "{'m':{'a/b':2}}"),
                Arguments.of("json: test then replace", "json", "{'a':1}", "[{'op':'test','path':'/a','value':1},{'op':'replace','path':'/a','value':5}]", "{'a':5}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergeAndJson")
    void mergeAndJsonPatch(String name, String kind, String original, String patch, String expected) {
        JsonNode r = kind.equals("merge") ? MergePatch.apply(j(original), j(patch)) : JsonPatch.apply(j(original), j(patch));
        assertThat(r).isEqualTo(j(expected));
    }
}
