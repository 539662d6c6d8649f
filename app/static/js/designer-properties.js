/* Our properties panel for the bpmn-js modeler: form reference, deadline rule (dueAt and timer
   expressions), lane role (candidateLane / candidateDepartment, lane names), conditions.
   Writes through the modeler's modeling API so undo/redo and saveXML see every change. */
(function () {
  "use strict";
  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  function bodyType(name) {
    return { name: name, superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] };
  }
  var descriptor = {
    name: "SpiffWorkflow", uri: SPIFF, prefix: "spiffworkflow", xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
      bodyType("CalledDecisionId"), bodyType("MessageVariable"), bodyType("PreScript"),
      bodyType("PostScript"), bodyType("InstructionsForEndUser")
    ]
  };
  var OUR = [
    ["formJsonSchemaFilename", "表单文件", "例如 mediation_result.json"],
    ["formUiSchemaFilename", "表单显示提示文件（可选）", "例如 mediation_result.uischema.json"],
    ["dueAt", "办理期限（期限表达式）", "例如 rule_due(\"four_levels.county\")"],
    ["candidateLane", "按数据分派的泳道（变量名）", "例如 level_lane"],
    ["candidateDepartment", "承办部门（表达式，得到部门代码）", "例如 \"labour\""]
  ];
  var TYPE_LABELS = {
    UserTask: "人工任务", ServiceTask: "服务任务", ScriptTask: "脚本任务", BusinessRuleTask: "规则任务",
    Task: "任务", SendTask: "发送任务", ReceiveTask: "接收任务", ManualTask: "手工任务",
    CallActivity: "调用子流程", SubProcess: "子流程", Transaction: "事务子流程", StartEvent: "开始事件",
    EndEvent: "结束事件", IntermediateCatchEvent: "中间捕获事件", IntermediateThrowEvent: "中间抛出事件",
    BoundaryEvent: "边界事件", ExclusiveGateway: "排他网关", InclusiveGateway: "包容网关",
    ParallelGateway: "并行网关", EventBasedGateway: "事件网关", ComplexGateway: "复杂网关",
    SequenceFlow: "连线", MessageFlow: "消息流", Lane: "泳道", Participant: "池", Process: "流程",
    Collaboration: "协作", TextAnnotation: "文本注释", Association: "关联", Group: "分组",
    DataObjectReference: "数据对象", DataStoreReference: "数据存储"
  };

  function propertiesOf(bo) {
    var ext = bo.extensionElements;
    if (!ext) { return null; }
    return (ext.get("values") || []).filter(function (v) { return v.$type === "spiffworkflow:Properties"; })[0] || null;
  }

  function readProperty(bo, name) {
    var props = propertiesOf(bo);
    if (!props) { return ""; }
    var found = props.get("properties").filter(function (p) { return p.name === name; })[0];
    return found ? found.value || "" : "";
  }

  function writeProperty(modeler, element, name, value) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var bo = element.businessObject, ext = bo.extensionElements;
    if (!ext) {
      if (!value) { return; }
      ext = moddle.create("bpmn:ExtensionElements", { values: [] });
      modeling.updateProperties(element, { extensionElements: ext });
    }
    var props = propertiesOf(bo);
    if (!props) {
      if (!value) { return; }
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
    }
    var list = props.get("properties");
    var prop = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (prop) { modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== prop; }) }); }
    } else if (prop) {
      modeling.updateModdleProperties(element, prop, { value: value });
    } else {
      prop = moddle.create("spiffworkflow:Property", { name: name, value: value });
      modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
    }
  }

  function field(panel, id, label, value, help, multiline, onChange) {
    var wrap = document.createElement("div");
    var lab = document.createElement("label");
    lab.htmlFor = id; lab.textContent = label;
    var input = document.createElement(multiline ? "textarea" : "input");
    input.id = id; input.value = value || ""; input.setAttribute("data-prop", id.replace(/^prop-/, ""));
    if (multiline) { input.rows = 4; }
    if (help) { input.placeholder = help; }
    input.addEventListener("change", function () { onChange(input.value.trim()); });
    wrap.appendChild(lab); wrap.appendChild(input);
    panel.appendChild(wrap);
    return input;
  }

  function timerOf(bo) {
    var defs = bo.eventDefinitions || [];
    return defs.filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0] || null;
  }

  function timerFields(panel, modeler, element, timer) {
    var moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    ["timeDate", "timeDuration", "timeCycle"].forEach(function (kind) {
      var current = timer.get(kind);
      if (!current && kind !== "timeDate") { return; }
      field(panel, "prop-" + kind, { timeDate: "定时（timeDate 表达式，期限规则）", timeDuration: "时长（timeDuration）", timeCycle: "循环（timeCycle）" }[kind],
        current ? current.body : "", "例如 rule_due(\"whistle.report_in\")", false, function (value) {
          var update = {};
          update[kind] = value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined;
          modeling.updateModdleProperties(element, timer, update);
        });
    });
  }

  // A flow leaving an exclusive or inclusive gateway may be the gateway's default path.
  function defaultFlowField(panel, modeler, element) {
    var source = element.source, sbo = source && source.businessObject;
    if (!sbo || !(sbo.$instanceOf("bpmn:ExclusiveGateway") || sbo.$instanceOf("bpmn:InclusiveGateway"))) { return; }
    var wrap = document.createElement("div"), lab = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox"; box.id = "prop-default"; box.checked = sbo.default === element.businessObject;
    lab.htmlFor = "prop-default"; lab.textContent = "设为网关的默认路径（其他条件都不成立时走这条）";
    box.addEventListener("change", function () {
      modeler.get("modeling").updateProperties(source, { "default": box.checked ? element.businessObject : undefined });
    });
    wrap.className = "checkbox"; wrap.appendChild(box); wrap.appendChild(lab); panel.appendChild(wrap);
  }

  function render(panel, modeler, element) {
    panel.innerHTML = "";
    if (!element) { panel.innerHTML = "<p class=\"masked\">选择一个元素以编辑其属性</p>"; return; }
    var bo = element.businessObject, modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var head = document.createElement("p");
    head.innerHTML = "<strong></strong>";
    head.querySelector("strong").textContent = TYPE_LABELS[bo.$type.replace("bpmn:", "")] || "流程元素";
    head.id = "selected-element";
    head.setAttribute("data-element-id", bo.id);
    panel.appendChild(head);
    var isLane = bo.$type === "bpmn:Lane";
    field(panel, "prop-name", isLane ? "泳道名称（须有分派规则，例如 乡镇综治中心）" : "名称", bo.name, "", false, function (value) {
      modeling.updateProperties(element, { name: value || undefined });
    });
    if (bo.$instanceOf("bpmn:FlowNode") && !bo.$instanceOf("bpmn:Gateway")) {
      OUR.forEach(function (row) {
        field(panel, "prop-" + row[0], row[1], readProperty(bo, row[0]), row[2], false, function (value) {
          writeProperty(modeler, element, row[0], value);
        });
      });
    }
    var timer = bo.eventDefinitions ? timerOf(bo) : null;
    if (timer) { timerFields(panel, modeler, element, timer); }
    if (bo.$type === "bpmn:SequenceFlow") {
      field(panel, "prop-condition", "条件（表达式）", bo.conditionExpression ? bo.conditionExpression.body : "", "例如 route == \"whistle\"", false, function (value) {
        modeling.updateProperties(element, { conditionExpression: value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined });
      });
      defaultFlowField(panel, modeler, element);
    }
    if (bo.$type === "bpmn:ScriptTask") {
      field(panel, "prop-script", "脚本", bo.script, "", true, function (value) {
        modeling.updateProperties(element, { scriptFormat: "python", script: value });
      });
    }
    var help = document.createElement("p");
    help.className = "help";
    help.appendChild(document.createTextNode("可用函数："));
    ["rule_due", "deadline", "add_working_days", "add_natural_days", "add_hours", "now", "iso"].forEach(function (name, i) {
      if (i) { help.appendChild(document.createTextNode("、")); }
      var code = document.createElement("code"); code.setAttribute("translate", "no"); code.textContent = name;
      help.appendChild(code);
    });
    help.appendChild(document.createTextNode("。修改后请保存草稿并检查。"));
    panel.appendChild(help);
  }

  window.OneDoorProperties = { descriptor: descriptor, render: render };
})();
