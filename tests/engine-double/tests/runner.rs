//! `EngineDouble::run`/`register`/`invoke` end to end, with a tiny fake module written in
//! Python (stdlib `urllib` only) that speaks the module protocol.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use engine_double::{Call, EngineDouble};
use serde_json::json;

/// A fake module: registers `Fake.greet(name: String!, times: Int = 2, secret: Secret!,
/// nick: String)`, `Fake.fail`, `Fake.twice`; `greet` echoes its call back as the return value.
const FAKE_MODULE: &str = r#"
import base64, json, os, sys, urllib.request

PORT = os.environ["DAGGER_SESSION_PORT"]
AUTH = base64.urlsafe_b64encode((os.environ["DAGGER_SESSION_TOKEN"] + ":").encode()).decode()

def q(doc):
    body = json.dumps({"query": doc, "variables": None}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/query" % PORT, data=body,
        headers={"Authorization": "Basic " + AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        out = json.load(resp)
    if out.get("errors"):
        raise RuntimeError(out["errors"][0]["message"])
    return out["data"]

def lit(s):
    return json.dumps(s)

def ret(value):
    q("query{currentFunctionCall{returnValue(value:%s)}}" % lit(json.dumps(value)))

fc = q("query{fc:currentFunctionCall{parentName name parent inputArgs{name value}}}")["fc"]
print("env:", ",".join(sorted(k for k in os.environ if k != "LC_CTYPE")))
print("cwd-empty:", os.listdir(".") == [])
sys.stderr.write("call %r.%r\n" % (fc["parentName"], fc["name"]))

if fc["parentName"] == "":
    t = q("query{s:typeDef{withKind(kind:STRING_KIND){id}} i:typeDef{withKind(kind:INTEGER_KIND){withOptional(optional:true){id}}}"
          " o:typeDef{withKind(kind:STRING_KIND){withOptional(optional:true){id}}} sec:typeDef{withObject(name:\"Secret\"){id}}"
          " fake:typeDef{withObject(name:\"Fake\"){id}}}")
    s, i, o = t["s"]["withKind"]["id"], t["i"]["withKind"]["withOptional"]["id"], t["o"]["withKind"]["withOptional"]["id"]
    sec, fake = t["sec"]["withObject"]["id"], t["fake"]["withObject"]["id"]
    f = q("query{g:function(name:\"greet\",returnType:%s){withArg(name:\"name\",typeDef:%s){withArg(name:\"times\",typeDef:%s,defaultValue:\"2\"){"
          "withArg(name:\"secret\",typeDef:%s){withArg(name:\"nick\",typeDef:%s){id}}}}}"
          " f:function(name:\"fail\",returnType:%s){id} w:function(name:\"twice\",returnType:%s){id}}"
          % (lit(s), lit(s), lit(i), lit(sec), lit(o), lit(s), lit(s)))
    g = f["g"]["withArg"]["withArg"]["withArg"]["withArg"]["id"]
    obj = q("query{typeDef{withObject(name:\"Fake\",description:\"A fake\"){withFunction(function:%s){withFunction(function:%s){withFunction(function:%s){id}}}}}}"
            % (lit(g), lit(f["f"]["id"]), lit(f["w"]["id"])))
    obj = obj["typeDef"]["withObject"]["withFunction"]["withFunction"]["withFunction"]["id"]
    mod = q("query{module{withDescription(description:\"Fake module\"){withObject(object:%s){id}}}}" % lit(obj))
    ret(mod["module"]["withDescription"]["withObject"]["id"])
    sys.exit(0)

if fc["name"] == "greet":
    args = {a["name"]: json.loads(a["value"]) for a in fc["inputArgs"]}
    plain = q("query{node(id:%s){... on Secret{plaintext}}}" % lit(args["secret"]))["node"]["plaintext"]
    ret({"args": args, "order": [a["name"] for a in fc["inputArgs"]], "parent": json.loads(fc["parent"]), "plain": plain})
    sys.exit(0)

if fc["name"] == "fail":
    e = q("query{error(message:\"it broke\"){withValue(name:\"code\",value:\"7\"){id}}}")["error"]["withValue"]["id"]
    q("query{currentFunctionCall{returnError(error:%s)}}" % lit(e))
    sys.exit(2)

if fc["name"] == "twice":
    ret("first")
    try:
        ret("second")
    except RuntimeError as err:
        sys.stderr.write("second return: %s\n" % err)
        sys.exit(3)
"#;

/// The real interpreter behind `python3` (not a shim such as pyenv's, which adds env vars).
fn python() -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 is needed for the runner tests");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Writes an executable Python script (`text` without shebang).
fn write_script(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, format!("#!{}\n{}", python(), text.trim_start())).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn register_and_invoke_a_fake_module() {
    let dir = tempfile::tempdir().unwrap();
    let module_bin = write_script(&dir, "fake-module", FAKE_MODULE);
    let engine = EngineDouble::start();

    let (module, reg) = engine.register(&module_bin);
    assert_eq!(reg.exit_code, Some(0), "stderr: {}", reg.stderr);
    assert_eq!(reg.rejected_requests, 0);
    assert_eq!(reg.round_trips, 6);
    assert_eq!(reg.exchanges.len(), 6);
    assert!(reg.queries()[0].contains("currentFunctionCall"));
    assert!(
        reg.stdout
            .contains("env: DAGGER_SESSION_PORT,DAGGER_SESSION_TOKEN,PATH,TMPDIR\n"),
        "{}",
        reg.stdout
    );
    assert!(reg.stdout.contains("cwd-empty: True"), "{}", reg.stdout);
    assert_eq!(reg.stderr, "call ''.''\n");
    assert!(engine.describe_module(&module).contains(
        "  function greet: String!\n    cache: unset\n    description: \"\"\n    arg name: String!\n"
    ));

    // Default injection (times), optional omitted (nick), declaration order, aliased parent IDs.
    let secret = engine.seed_secret("s3cret");
    let out = engine.invoke(
        &module_bin,
        &module,
        "Fake",
        "greet",
        json!({"auths": [{"secret": secret, "address": "ghcr.io"}]}),
        vec![("secret", json!(secret)), ("name", json!("world"))],
    );
    assert_eq!(out.exit_code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.rejected_requests, 0);
    let value = out.return_value.clone().unwrap();
    assert_eq!(
        value["args"],
        json!({"name": "world", "times": 2, "secret": secret})
    );
    assert_eq!(value["order"], json!(["name", "times", "secret"]));
    assert_eq!(value["plain"], "s3cret");
    let parent_id = value["parent"]["auths"][0]["secret"].as_str().unwrap();
    assert_ne!(
        parent_id, secret,
        "IDs in parent state come back re-encoded"
    );
    assert_eq!(engine.secret(parent_id).unwrap().plaintext, "s3cret");
    assert_eq!(value["parent"]["auths"][0]["address"], "ghcr.io");
    assert_eq!(out.round_trips, 3);

    // returnError + exit 2.
    let out = engine.invoke(&module_bin, &module, "Fake", "fail", json!({}), vec![]);
    assert_eq!(out.exit_code, Some(2));
    let err = out.return_error.unwrap();
    assert_eq!(err.message, "it broke");
    assert_eq!(err.values, vec![("code".to_owned(), json!(7))]);
    assert!(out.return_value.is_none());

    // A second return is refused by the double.
    let out = engine.invoke(&module_bin, &module, "Fake", "twice", json!({}), vec![]);
    assert_eq!(out.exit_code, Some(3));
    assert!(
        out.stderr.contains("function call return already set"),
        "{}",
        out.stderr
    );
    assert_eq!(out.return_value, Some(json!("first")));
}

#[test]
#[should_panic(expected = "missing required argument \"name\"")]
fn invoke_panics_on_missing_required_args() {
    let dir = tempfile::tempdir().unwrap();
    let module_bin = write_script(&dir, "fake-module", FAKE_MODULE);
    let engine = EngineDouble::start();
    let (module, _) = engine.register(&module_bin);
    let secret = engine.seed_secret("x");
    engine.invoke(
        &module_bin,
        &module,
        "Fake",
        "greet",
        json!({}),
        vec![("secret", json!(secret))],
    );
}

#[test]
#[should_panic(expected = "has no argument \"bogus\"")]
fn invoke_panics_on_unknown_args() {
    let dir = tempfile::tempdir().unwrap();
    let module_bin = write_script(&dir, "fake-module", FAKE_MODULE);
    let engine = EngineDouble::start();
    let (module, _) = engine.register(&module_bin);
    engine.invoke(
        &module_bin,
        &module,
        "Fake",
        "fail",
        json!({}),
        vec![("bogus", json!(1))],
    );
}

#[test]
fn run_passes_extra_env_collects_exit_codes_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        &dir,
        "env-echo",
        "import os, sys\nprint(os.environ.get('EXTRA'))\nsys.stderr.write('oops')\nsys.exit(5)\n",
    );
    let engine = EngineDouble::start();
    let call = Call {
        parent_name: "Fake".into(),
        name: "x".into(),
        parent: json!({}),
        input_args: vec![],
    };
    let out = engine.run_with_env(&script, &call, &[("EXTRA", "yes")]);
    assert_eq!(
        (out.exit_code, out.stdout.as_str(), out.stderr.as_str()),
        (Some(5), "yes\n", "oops")
    );
    assert_eq!(out.round_trips, 0);
    assert!(!out.timed_out && out.return_value.is_none() && out.return_error.is_none());

    let sleeper = write_script(&dir, "sleeper", "import time\ntime.sleep(30)\n");
    engine.set_run_timeout(Duration::from_millis(300));
    let out = engine.run(&sleeper, &call);
    assert!(out.timed_out);
    assert_eq!(out.exit_code, None);
}

#[test]
fn run_returns_the_files_left_in_the_working_directory_and_tmpdir() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        &dir,
        "writer",
        "import os, tempfile\n\
         os.makedirs('cache')\n\
         open('cache/state.json', 'w').write('{}')\n\
         assert os.environ['TMPDIR'] == os.getcwd()\n\
         tempfile.NamedTemporaryFile(prefix='scratch', delete=False).write(b'tmp')\n",
    );
    let engine = EngineDouble::start();
    let call = Call {
        parent_name: "Fake".into(),
        name: "x".into(),
        parent: json!({}),
        input_args: vec![],
    };
    let out = engine.run(&script, &call);
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
    let mut files: Vec<(String, Vec<u8>)> = out
        .files_written
        .into_iter()
        .map(|(path, contents)| (path.display().to_string(), contents))
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0], ("cache/state.json".to_owned(), b"{}".to_vec()));
    assert!(
        files[1].0.starts_with("scratch") && files[1].1 == b"tmp",
        "{files:?}"
    );
}
