//! The double as a GraphQL server: transport, validation, execution and object semantics.

mod common;

use common::{data, error, lit, post, query, send};
use engine_double::{EngineDouble, MAX_SECRET_BYTES};
use serde_json::{json, Value};

#[test]
fn schema_loads_and_has_the_module_protocol_types() {
    let dir = engine_double::schemas_dir();
    assert!(dir.is_dir(), "schemas at {}", dir.display());
    let engine = EngineDouble::start();
    // A valid query that touches the protocol fields executes without rejection.
    let id = engine.seed_secret("x");
    let d = data(
        &engine,
        &format!("query{{node(id:{}){{__typename id}}}}", lit(&id)),
    );
    assert_eq!(d["node"]["__typename"], "Secret");
    assert_eq!(d["node"]["id"], id.as_str());
}

#[test]
fn ids_are_long_opaque_and_unique() {
    let engine = EngineDouble::start();
    let a = engine.seed_secret("same");
    let b = engine.seed_secret("same");
    assert_ne!(a, b);
    assert_eq!(a.len(), 64, "base64 of 48 bytes");
    assert!(!a.contains("same"));
}

#[test]
fn invalid_documents_are_rejected_and_logged_as_rejected() {
    let engine = EngineDouble::start();
    let cases = [
        ("unknown field", "query{nope}"),
        (
            "wrong arg type",
            "query{setSecret(name: 5, plaintext: \"p\"){id}}",
        ),
        ("missing required arg", "query{setSecret(name: \"n\"){id}}"),
        ("syntax error", "query{setSecret("),
        (
            "object without selection",
            "query{setSecret(name:\"n\", plaintext:\"p\")}",
        ),
    ];
    for (what, doc) in cases {
        let reply = post(&engine, doc);
        assert_eq!(reply.status, Some(422), "{what}");
        let body = reply.json();
        assert!(body["data"].is_null(), "{what}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body}");
    }
    // Not a GraphQL envelope at all.
    let auth = common::auth_header(&engine);
    assert_eq!(
        send(&engine, "POST", "/query", Some(&auth), "{]").status,
        Some(422)
    );
    let log = engine.log();
    assert_eq!(log.len(), cases.len() + 1);
    assert!(log.iter().all(|e| e.rejected && !e.faulted));
    // Nothing was executed: no secret "n" exists, so no swap either way.
    assert!(engine.secret_swaps().is_empty());
}

#[test]
fn authorization_is_checked() {
    let engine = EngineDouble::start();
    let body = json!({"query": "query{container{id}}"}).to_string();
    assert_eq!(
        send(&engine, "POST", "/query", None, &body).status,
        Some(401)
    );
    assert_eq!(
        send(&engine, "POST", "/query", Some("Basic d3Jvbmc6"), &body).status,
        Some(401)
    );
    // Standard alphabet with padding is accepted too.
    use base64::Engine as _;
    let std = base64::engine::general_purpose::STANDARD.encode(format!("{}:", engine.token()));
    let ok = send(
        &engine,
        "POST",
        "/query",
        Some(&format!("Basic {std}")),
        &body,
    );
    assert_eq!(ok.status, Some(200));
    assert_eq!(
        send(&engine, "GET", "/query", Some(&format!("Basic {std}")), "").status,
        Some(404)
    );
    let rejected: Vec<bool> = engine.log().iter().map(|e| e.rejected).collect();
    assert_eq!(rejected, [true, true, false, true]);
}

#[test]
fn aliases_and_inline_fragments() {
    let engine = EngineDouble::start();
    let a = engine.seed_secret("alpha");
    let b = engine.seed_secret("be\"ta\n\u{e9}");
    let d = data(
        &engine,
        &format!(
            "query{{a:node(id:{}){{... on Secret{{plaintext}}}} b:node(id:{}){{... on Secret{{plaintext}} ... on Container{{id}}}}}}",
            lit(&a),
            lit(&b)
        ),
    );
    assert_eq!(
        d,
        json!({"a": {"plaintext": "alpha"}, "b": {"plaintext": "be\"ta\n\u{e9}"}})
    );

    // A fragment on the wrong type yields no fields; merged fields appear once, in order.
    let c = engine.new_container();
    let d = data(
        &engine,
        &format!(
            "query{{node(id:{}){{... on Secret{{plaintext}} __typename ... on Node{{id}} id}}}}",
            lit(&c)
        ),
    );
    assert_eq!(d, json!({"node": {"__typename": "Container", "id": c}}));

    // Named fragments and @skip/@include.
    let d = data(
        &engine,
        &format!(
            "query{{node(id:{}){{...S}}}} fragment S on Secret{{plaintext name @skip(if:true) uri @include(if:false)}}",
            lit(&a)
        ),
    );
    assert_eq!(d, json!({"node": {"plaintext": "alpha"}}));
    // Response keys keep document order (not alphabetical).
    let raw = post(
        &engine,
        &format!(
            "query{{z:node(id:{0}){{id}} a:node(id:{0}){{id}}}}",
            lit(&a)
        ),
    )
    .body;
    assert!(
        raw.find("\"z\"").unwrap() < raw.find("\"a\"").unwrap(),
        "{raw}"
    );
    assert!(engine.log().iter().all(|e| !e.rejected));
}

#[test]
fn unknown_ids_and_unimplemented_fields_are_errors_with_paths() {
    let engine = EngineDouble::start();
    let response = query(&engine, "query{x:node(id:\"bm9wZQ==\"){id}}");
    assert!(response["data"].is_null());
    assert!(response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("unknown object ID"));
    assert_eq!(response["errors"][0]["path"], json!(["x"]));

    let c = engine.new_container();
    let msg = error(
        &engine,
        &format!(
            "query{{node(id:{}){{... on Container{{stdout}}}}}}",
            lit(&c)
        ),
    );
    assert_eq!(msg, "engine double: Container.stdout is not implemented");
    let msg = error(&engine, "query{version}");
    assert_eq!(msg, "engine double: Query.version is not implemented");
    assert!(
        engine.log().iter().all(|e| !e.rejected),
        "schema-valid, so not rejected"
    );
}

#[test]
fn variables_are_refused() {
    let engine = EngineDouble::start();
    let body = json!({"query": "query($n:String!){setSecret(name:$n, plaintext:\"p\"){id}}", "variables": {"n": "x"}});
    let reply = send(
        &engine,
        "POST",
        "/query",
        Some(&common::auth_header(&engine)),
        &body.to_string(),
    );
    assert!(reply.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("variables"));
}

#[test]
fn set_secret_identity_swaps_and_size_limit() {
    let engine = EngineDouble::start();
    let set = |name: &str, plaintext: &str| -> String {
        let d = data(
            &engine,
            &format!(
                "query{{setSecret(name:{},plaintext:{}){{id}}}}",
                lit(name),
                lit(plaintext)
            ),
        );
        d["setSecret"]["id"].as_str().unwrap().to_owned()
    };
    let first = set("cfg", "one");
    assert_eq!(set("cfg", "one"), first, "same name, same handle");
    assert!(engine.secret_swaps().is_empty(), "same content is no swap");
    assert_eq!(
        set("cfg", "two"),
        first,
        "same name, same handle even with new content"
    );
    assert_eq!(engine.secret_swaps(), ["cfg"]);
    assert_eq!(engine.secret(&first).unwrap().plaintext, "two");
    assert_eq!(engine.secret(&first).unwrap().name, "cfg");
    assert_ne!(set("other", "two"), first);

    let at_limit = "a".repeat(MAX_SECRET_BYTES);
    set("big", &at_limit);
    let msg = error(
        &engine,
        &format!(
            "query{{setSecret(name:\"big2\",plaintext:{}){{id}}}}",
            lit(&format!("{at_limit}b"))
        ),
    );
    assert!(msg.contains("exceeds 128000 bytes"), "{msg}");
}

#[test]
fn secret_from_env_uri() {
    let engine = EngineDouble::start();
    engine.seed_env_secret("GITHUB_TOKEN", "ghp_x");
    let d = data(
        &engine,
        "query{secret(uri:\"env:GITHUB_TOKEN\"){id plaintext uri}}",
    );
    assert_eq!(d["secret"]["plaintext"], "ghp_x");
    assert_eq!(
        engine
            .secret(d["secret"]["id"].as_str().unwrap())
            .unwrap()
            .plaintext,
        "ghp_x"
    );
    assert!(error(&engine, "query{secret(uri:\"env:MISSING\"){id}}").contains("MISSING"));
}

#[test]
fn containers_are_immutable_and_record_mounts_env_and_files() {
    let engine = EngineDouble::start();
    let base = engine.new_container();
    let s = engine.seed_secret("{\"auths\":{}}");
    let d = data(
        &engine,
        &format!(
            "query{{node(id:{}){{... on Container{{a:withMountedSecret(path:\"/root/.docker/config.json\",source:{}){{withEnvVariable(name:\"DOCKER_CONFIG\",value:\"/root/.docker\"){{id}}}} b:withMountedSecret(path:\"/c.json\",source:{},owner:\"1000:1000\",mode:384){{withSecretVariable(name:\"DOCKER_AUTH_CONFIG\",secret:{}){{withNewFile(path:\"/leak\",contents:\"pw\"){{id}}}}}}}}}}}}",
            lit(&base), lit(&s), lit(&s), lit(&s)
        ),
    );
    assert_eq!(
        engine.container(&base).unwrap(),
        Default::default(),
        "base unchanged"
    );
    let a = d["node"]["a"]["withEnvVariable"]["id"].as_str().unwrap();
    let a = engine.container(a).unwrap();
    let mount = &a.mounts["/root/.docker/config.json"];
    assert_eq!(
        (mount.mode, mount.owner.as_str(), mount.secret_id.as_str()),
        (256, "", s.as_str())
    );
    assert_eq!(a.env["DOCKER_CONFIG"], "/root/.docker");
    assert!(a.files.is_empty() && a.secret_env.is_empty());

    let b = d["node"]["b"]["withSecretVariable"]["withNewFile"]["id"]
        .as_str()
        .unwrap();
    let b = engine.container(b).unwrap();
    assert_eq!(
        (b.mounts["/c.json"].mode, b.mounts["/c.json"].owner.as_str()),
        (384, "1000:1000")
    );
    assert_eq!(b.secret_env["DOCKER_AUTH_CONFIG"], s);
    assert_eq!(b.files["/leak"].contents, "pw");
    assert_eq!(b.files["/leak"].permissions, 420);

    // `from` is recorded; a non-Secret source is refused.
    let d = data(&engine, "query{container{from(address:\"alpine\"){id}}}");
    let from = engine
        .container(d["container"]["from"]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(from.from.as_deref(), Some("alpine"));
    let msg = error(
        &engine,
        &format!(
            "query{{container{{withMountedSecret(path:\"/x\",source:{}){{id}}}}}}",
            lit(&base)
        ),
    );
    assert!(msg.contains("expected a Secret"), "{msg}");
}

#[test]
fn errors_carry_values() {
    let engine = EngineDouble::start();
    let d = data(
        &engine,
        "query{error(message:\"boom\"){withValue(name:\"code\",value:\"42\"){withValue(name:\"hint\",value:\"\\\"x\\\"\"){id message values{name value}}}}}",
    );
    let e = &d["error"]["withValue"]["withValue"];
    assert_eq!(e["message"], "boom");
    assert_eq!(
        e["values"],
        json!([{"name": "code", "value": "42"}, {"name": "hint", "value": "\"x\""}])
    );
    assert!(error(
        &engine,
        "query{error(message:\"m\"){withValue(name:\"n\",value:\"{bad\"){id}}}"
    )
    .contains("JSON"));
}

#[test]
fn current_function_call_without_a_run_is_an_error() {
    let engine = EngineDouble::start();
    assert!(error(&engine, "query{currentFunctionCall{name}}").contains("no function call"));
}

#[test]
fn typedefs_build_a_module_that_describe_module_renders() {
    let engine = EngineDouble::start();
    let id = |d: &Value, path: &[&str]| -> String {
        let mut v = d;
        for p in path {
            v = &v[*p];
        }
        v["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id at {path:?}: {d}"))
            .to_owned()
    };
    let d = data(
        &engine,
        "query{s:typeDef{withKind(kind:STRING_KIND){id}} i:typeDef{withKind(kind:INTEGER){withOptional(optional:true){id}}} \
         sec:typeDef{withObject(name:\"Secret\"){id}} rc:typeDef{withObject(name:\"RegistryConfig\"){id}} \
         e:typeDef{withKind(kind:STRING_KIND){id}}}",
    );
    let (s, i, sec, rc, e) = (
        id(&d, &["s", "withKind"]),
        id(&d, &["i", "withKind", "withOptional"]),
        id(&d, &["sec", "withObject"]),
        id(&d, &["rc", "withObject"]),
        id(&d, &["e", "withKind"]),
    );
    let d = data(
        &engine,
        &format!(
            "query{{typeDef{{withListOf(elementType:{}){{id}}}}}}",
            lit(&e)
        ),
    );
    let list = id(&d, &["typeDef", "withListOf"]);
    let d = data(
        &engine,
        &format!(
            "query{{f:function(name:\"withRegistryAuth\",returnType:{rc}){{withDescription(description:\"Adds\\ncredentials.\"){{\
             withArg(name:\"address\",typeDef:{s},description:\"Registry host\"){{\
             withArg(name:\"secret\",typeDef:{sec}){{\
             withArg(name:\"mode\",typeDef:{i},defaultValue:\"384\"){{\
             withCachePolicy(policy:Never){{id}}}}}}}}}}}} \
             g:function(name:\"registries\",returnType:{list}){{id}}}}",
            rc = lit(&rc), s = lit(&s), sec = lit(&sec), i = lit(&i), list = lit(&list)
        ),
    );
    let f = id(
        &d,
        &[
            "f",
            "withDescription",
            "withArg",
            "withArg",
            "withArg",
            "withCachePolicy",
        ],
    );
    let g = id(&d, &["g"]);
    let d = data(
        &engine,
        &format!(
            "query{{typeDef{{withObject(name:\"RegistryConfig\",description:\"Docker config\"){{withField(name:\"path\",typeDef:{s},description:\"p\"){{withFunction(function:{f}){{withFunction(function:{g}){{id}}}}}}}}}}}}",
            s = lit(&s), f = lit(&f), g = lit(&g)
        ),
    );
    let obj = id(
        &d,
        &[
            "typeDef",
            "withObject",
            "withField",
            "withFunction",
            "withFunction",
        ],
    );
    let d = data(
        &engine,
        &format!("query{{module{{withDescription(description:\"Registry credentials\"){{withObject(object:{}){{id}}}}}}}}", lit(&obj)),
    );
    let module = id(&d, &["module", "withDescription", "withObject"]);
    assert!(engine.log().iter().all(|e| !e.rejected));

    let golden = "\
module
  description: \"Registry credentials\"
object RegistryConfig
  description: \"Docker config\"
  field path: String!
    description: \"p\"
  function withRegistryAuth: RegistryConfig!
    cache: Never
    description: \"Adds\\ncredentials.\"
    arg address: String!
      description: \"Registry host\"
    arg secret: Secret!
      description: \"\"
    arg mode: Int = 384
      description: \"\"
  function registries: [String!]!
    cache: unset
    description: \"\"
";
    assert_eq!(engine.describe_module(&module), golden);
    let f = engine
        .module_function(&module, "RegistryConfig", "withRegistryAuth")
        .unwrap();
    assert_eq!(f.args[2].default_value, Some(json!(384)));
    assert!(f.args[0].is_required() && !f.args[2].is_required());
    assert!(engine
        .module_function(&module, "RegistryConfig", "nope")
        .is_none());

    // IDs of the wrong type and reserved names are refused.
    let msg = error(
        &engine,
        &format!(
            "query{{typeDef{{withListOf(elementType:{}){{id}}}}}}",
            lit(&f_id_of(&engine))
        ),
    );
    assert!(msg.contains("expected a TypeDef"), "{msg}");
    let msg = error(
        &engine,
        &format!(
            "query{{typeDef{{withObject(name:\"X\"){{withField(name:\"id\",typeDef:{}){{id}}}}}}}}",
            lit(&s)
        ),
    );
    assert!(msg.contains("reserved"), "{msg}");
    let msg = error(
        &engine,
        &format!("query{{module{{withObject(object:{}){{id}}}}}}", lit(&s)),
    );
    assert!(msg.contains("not an object"), "{msg}");
}

/// A Container ID, to feed where a TypeDef is expected.
fn f_id_of(engine: &EngineDouble) -> String {
    engine.new_container()
}

#[test]
fn faults_are_injected_only_on_matching_queries() {
    use engine_double::Fault;
    let engine = EngineDouble::start();
    engine.set_fault(Some(Fault::GraphqlError {
        when_query_contains: "setSecret".into(),
        message: "injected".into(),
    }));
    assert_eq!(
        error(&engine, "query{setSecret(name:\"n\",plaintext:\"p\"){id}}"),
        "injected"
    );
    data(&engine, "query{container{id}}");
    assert!(engine.secret_swaps().is_empty());

    engine.set_fault(Some(Fault::Garbage {
        when_query_contains: "container".into(),
    }));
    let reply = post(&engine, "query{container{id}}");
    assert_eq!(reply.status, Some(200));
    assert!(serde_json::from_str::<Value>(&reply.body).is_err());

    engine.set_fault(Some(Fault::CloseConnection {
        when_query_contains: "container".into(),
    }));
    let reply = post(&engine, "query{container{id}}");
    assert_eq!(reply.status, None, "connection closed without a response");

    engine.set_fault(Some(Fault::HttpStatus {
        when_query_contains: "container".into(),
        status: 502,
    }));
    assert_eq!(post(&engine, "query{container{id}}").status, Some(502));

    engine.set_fault(None);
    data(&engine, "query{container{id}}");
    let log = engine.log();
    let faulted: Vec<bool> = log.iter().map(|e| e.faulted).collect();
    assert_eq!(faulted, [true, false, true, true, true, false]);
    assert_eq!(log[3].status, None);
    assert!(log.iter().all(|e| !e.rejected));
    engine.reset_log();
    assert!(engine.log().is_empty());
}

#[test]
fn latency_delays_answers() {
    let engine = EngineDouble::start();
    engine.set_latency(std::time::Duration::from_millis(150));
    let start = std::time::Instant::now();
    data(&engine, "query{container{id}}");
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
}

// ----- introspection and container builds (what SDK runtimes send) -----

#[test]
fn introspection_is_answered_from_the_schema_of_the_served_version() {
    let engine = EngineDouble::start();
    for served in engine_double::schemas() {
        engine.set_introspected_version(&served.version);
        let answer = data(
            &engine,
            "{__schema{queryType{name}} __type(name:\"Query\"){fields(includeDeprecated:true){name}}}",
        );
        assert_eq!(answer["__schema"]["queryType"]["name"], "Query");
        let answered: Vec<&str> = answer["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field["name"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = served.schema().types["Query"]
            .as_object()
            .unwrap()
            .fields
            .keys()
            .map(|name| name.as_str())
            .collect();
        assert_eq!(answered, expected, "{}", served.version);
    }
}

#[test]
fn introspection_mixed_with_other_root_fields_is_refused() {
    let engine = EngineDouble::start();
    let message = error(&engine, "{__schema{queryType{name}} container{id}}");
    assert!(message.contains("not implemented"), "{message}");
}

#[test]
#[should_panic(expected = "no schema of engine v0.0.1 is loaded")]
fn serving_an_unknown_version_panics_clearly() {
    EngineDouble::start().set_introspected_version("v0.0.1");
}

#[test]
fn a_container_build_records_what_each_exec_sees() {
    let engine = EngineDouble::start();
    let cache = data(&engine, r#"{cacheVolume(key:"k"){id}}"#)["cacheVolume"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = format!(
        r#"{{container{{from(address:"rust:x"){{withMountedCache(path:"/c",cache:{cache}){{withEnvVariable(name:"A",value:"1"){{withWorkdir(path:"/w"){{withExec(args:["make","all"]){{withEnvVariable(name:"A",value:"2"){{withDefaultArgs(args:["x"]){{withEntrypoint(args:["/bin/e"]){{id}}}}}}}}}}}}}}}}}}}}"#,
        cache = lit(&cache)
    );
    let answer = data(&engine, &doc);
    let id = answer["container"]["from"]["withMountedCache"]["withEnvVariable"]["withWorkdir"]
        ["withExec"]["withEnvVariable"]["withDefaultArgs"]["withEntrypoint"]["id"]
        .as_str()
        .unwrap();
    let built = engine.container(id).unwrap();
    let [exec] = built.execs.as_slice() else {
        panic!("{built:#?}")
    };
    assert_eq!(exec.args, ["make", "all"]);
    assert_eq!(exec.workdir.as_deref(), Some("/w"));
    assert_eq!(
        exec.env["A"], "1",
        "the exec saw the environment of its time"
    );
    assert_eq!(exec.caches["/c"].key, "k");
    assert_eq!(exec.caches["/c"].sharing, "SHARED", "the schema default");
    assert_eq!(built.env["A"], "2");
    assert_eq!(built.entrypoint, ["/bin/e"]);
    assert!(
        built.default_args.is_empty(),
        "withEntrypoint drops default args"
    );
}

#[test]
fn a_file_read_from_a_container_keeps_its_origin_when_copied() {
    let engine = EngineDouble::start();
    let file = data(
        &engine,
        r#"{container{from(address:"builder"){withExec(args:["build"]){file(path:"/out/bin"){id}}}}}"#,
    )["container"]["from"]["withExec"]["file"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = format!(
        r#"{{container{{from(address:"slim"){{withFile(path:"/e",source:{},permissions:493){{id}}}}}}}}"#,
        lit(&file)
    );
    let id = data(&engine, &doc)["container"]["from"]["withFile"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let copied = &engine.container(&id).unwrap().copied_files["/e"];
    assert_eq!(copied.permissions, Some(0o755));
    let engine_double::FileRecord::FromContainer { container, path } = &copied.source else {
        panic!("{copied:#?}")
    };
    assert_eq!(path, "/out/bin");
    assert_eq!(container.from.as_deref(), Some("builder"));
    assert_eq!(container.execs[0].args, ["build"]);
}

#[test]
fn files_record_whether_the_test_seeded_them_or_a_request_created_them() {
    use engine_double::FileRecord;
    let engine = EngineDouble::start();
    let seeded = engine.seed_file("input");
    let answer = data(
        &engine,
        &format!(
            r#"{{made:file(name:"c.json",contents:"made"){{contents}} read:node(id:{}){{... on File{{contents}}}}}}"#,
            lit(&seeded)
        ),
    );
    assert_eq!(answer["made"]["contents"], "made");
    assert_eq!(answer["read"]["contents"], "input");
    let files: Vec<FileRecord> = engine.files().into_iter().map(|(_, f)| f).collect();
    assert_eq!(
        files,
        [
            FileRecord::Seeded {
                contents: "input".into()
            },
            FileRecord::Created {
                name: "c.json".into(),
                contents: "made".into()
            },
        ]
    );
    assert_eq!(engine.files()[0].0, seeded);
}

#[test]
fn a_module_source_hands_over_its_context_and_directories_filter() {
    let engine = EngineDouble::start();
    let files = [
        "Cargo.toml",
        "src/a.rs",
        "target/x",
        "target/y/z",
        "targets/t",
    ];
    let source = engine.seed_module_source(".", files.map(str::to_owned));
    let doc = format!(
        r#"{{node(id:{}){{... on ModuleSource{{sourceSubpath contextDirectory{{all:entries kept:withoutDirectory(path:"./target/"){{entries}} src:entries(path:"src")}}}}}}}}"#,
        lit(&source)
    );
    let answer = data(&engine, &doc)["node"].clone();
    assert_eq!(answer["sourceSubpath"], ".");
    let context = &answer["contextDirectory"];
    assert_eq!(
        context["all"],
        json!(["Cargo.toml", "src/", "target/", "targets/"])
    );
    assert_eq!(
        context["kept"]["entries"],
        json!(["Cargo.toml", "src/", "targets/"])
    );
    assert_eq!(context["src"], json!(["a.rs"]));
    let held: Vec<usize> = engine
        .directories()
        .iter()
        .map(|(_, directory)| directory.files.len())
        .collect();
    assert_eq!(held, [5, 3], "the context and what withoutDirectory kept");
}
