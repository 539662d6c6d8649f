/* OneDoor's groups for the standard bpmn-js properties panel: what a task is handled with (form,
   deadline rule, lane, department, the context its task page shows), conditions and default
   paths, called processes and decisions, scripts and message data. Every value is written where
   the deploy checks and the engine read it: spiffworkflow:property name/value pairs
   (formJsonSchemaFilename, formUiSchemaFilename, dueAt, candidateLane, candidateDepartment),
   bpmn:conditionExpression, bpmn:script, calledElement, spiffworkflow:calledDecisionId and
   spiffworkflow:messageVariable. Labels are Chinese; the panel's own strings go through the
   `translate` service (designer-zh.js). */
import { h } from "@bpmn-io/properties-panel/preact";
import {
  CheckboxEntry, Group, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { is, getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

export const SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";

function bodyType(name) {
  return { name: name, superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] };
}

export const descriptor = {
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

const CUSTOM = "__expression__";
const RULE = /^rule_due\(\s*"([^"]*)"\s*\)$/;
const LITERAL = /^"([^"\\]*)"$/;

// ---------------------------------------------------------------- spiffworkflow:property helpers

function extensionValues(bo, type) {
  const ext = bo.get("extensionElements");
  return ext ? (ext.get("values") || []).filter((v) => v.$type === type) : [];
}

function propertiesOf(bo) { return extensionValues(bo, "spiffworkflow:Properties")[0] || null; }

export function readProperty(bo, name) {
  const props = propertiesOf(bo);
  const found = props ? props.get("properties").filter((p) => p.name === name)[0] : null;
  return found ? found.value || "" : "";
}

function ensureExtensions(element, bo, modeling, moddle) {
  let ext = bo.get("extensionElements");
  if (!ext) {
    ext = moddle.create("bpmn:ExtensionElements", { values: [] });
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  return ext;
}

export function writeProperty(element, name, value, modeling, moddle) {
  const bo = getBusinessObject(element);
  value = (value || "").trim();
  let props = propertiesOf(bo);
  if (!props) {
    if (!value) { return; }
    const ext = ensureExtensions(element, bo, modeling, moddle);
    props = moddle.create("spiffworkflow:Properties", { properties: [] });
    modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
  }
  const list = props.get("properties");
  let prop = list.filter((p) => p.name === name)[0];
  if (!value) {
    if (prop) { modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== prop) }); }
  } else if (prop) {
    modeling.updateModdleProperties(element, prop, { value: value });
  } else {
    prop = moddle.create("spiffworkflow:Property", { name: name, value: value });
    modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
  }
}

function writeBody(element, type, value, modeling, moddle, owner) {
  owner = owner || getBusinessObject(element);
  value = (value || "").trim();
  const current = extensionValues(owner, type)[0];
  if (current && value) { modeling.updateModdleProperties(element, current, { value: value }); return; }
  if (current) {
    const ext = owner.get("extensionElements");
    modeling.updateModdleProperties(element, ext, { values: ext.get("values").filter((v) => v !== current) });
    return;
  }
  if (!value) { return; }
  const ext = ensureExtensions(element, owner, modeling, moddle);
  modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([moddle.create(type, { value: value })]) });
}

function choices(injector) {
  const config = injector.get("config.onedoor", false) || {};
  return config.choices || {};
}

function code(text) { return h("code", { translate: "no" }, text); }

// ---------------------------------------------------------------- entries

function PropertyText(props) {
  const { element, id, name, label, description, placeholder } = props;
  const modeling = useService("modeling"), moddle = useService("moddle"), debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label, description, debounce, placeholder,
    getValue: () => readProperty(getBusinessObject(element), name),
    setValue: (value) => writeProperty(element, name, value, modeling, moddle)
  });
}

// A choice among known values, written as the property itself or as an expression around it.
function PropertySelect(props) {
  const { element, id, name, label, description, options, none, unknown, toValue, fromValue } = props;
  const modeling = useService("modeling"), moddle = useService("moddle");
  const current = () => readProperty(getBusinessObject(element), name);
  return h(SelectEntry, {
    element, id, label, description,
    getValue: () => { const raw = current(); return raw ? fromValue(raw) : ""; },
    setValue: (value) => {
      if (value === CUSTOM) { return; }
      writeProperty(element, name, value ? toValue(value) : "", modeling, moddle);
    },
    getOptions: () => {
      const raw = current(), list = [{ value: "", label: none }].concat(options);
      const chosen = raw ? fromValue(raw) : "";
      if (chosen === CUSTOM) { list.push({ value: CUSTOM, label: "按下方表达式（由流程数据决定）" }); }
      else if (chosen && !options.some((o) => o.value === chosen)) { list.push({ value: chosen, label: unknown }); }
      return list;
    }
  });
}

function identity(value) { return value; }
function literal(value) { return JSON.stringify(value); }
function fromLiteral(raw) { const m = LITERAL.exec(raw.trim()); return m ? m[1] : CUSTOM; }
function ruleExpression(value) { return "rule_due(" + JSON.stringify(value) + ")"; }
function fromRule(raw) { const m = RULE.exec(raw.trim()); return m ? m[1] : CUSTOM; }

function laneOf(element) {
  const bo = getBusinessObject(element);
  const lanes = bo.get("lanes") || [];
  return lanes.length ? lanes[lanes.length - 1].name || "" : "";
}

function TaskContext(props) {
  const { element } = props;
  const injector = useService("injector");
  const form = readProperty(getBusinessObject(element), "formJsonSchemaFilename");
  const titles = (choices(injector).contexts || {})[form] || [];
  return h("div", { class: "bio-properties-panel-entry od-context", "data-entry-id": "onedoor-context" },
    h("div", { class: "bio-properties-panel-label" }, "任务页显示的前序信息"),
    h("p", { class: "bio-properties-panel-description" },
      titles.length ? titles.join("、") : form ? "该表单没有声明要显示的前序信息" : "选择表单后显示",
      "（在表单设计中修改）"));
}

function ConditionText(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), moddle = useService("moddle"), debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, debounce, label: "条件表达式",
    description: h("span", null, "例如 ", code("result == \"failed\""), "；网关的其他连线条件都不成立时走默认路径"),
    getValue: () => { const c = getBusinessObject(element).get("conditionExpression"); return c ? c.body || "" : ""; },
    setValue: (value) => {
      value = (value || "").trim();
      modeling.updateProperties(element, {
        conditionExpression: value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined });
    }
  });
}

function DefaultFlow(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  return h(CheckboxEntry, {
    element, id, label: "设为网关的默认路径（其他条件都不成立时走这条）",
    getValue: () => getBusinessObject(element.source).get("default") === getBusinessObject(element),
    setValue: (checked) => modeling.updateProperties(element.source, { "default": checked ? getBusinessObject(element) : undefined })
  });
}

function CalledElement(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), injector = useService("injector");
  const processes = choices(injector).processes || [];
  return h(SelectEntry, {
    element, id, label: "调用的流程",
    getValue: () => getBusinessObject(element).get("calledElement") || "",
    setValue: (value) => modeling.updateProperties(element, { calledElement: value || undefined }),
    getOptions: () => {
      const current = getBusinessObject(element).get("calledElement") || "";
      const list = [{ value: "", label: "（未选择）" }].concat(processes);
      if (current && !processes.some((p) => p.value === current)) { list.push({ value: current, label: "（不存在的流程，检查会报错）" }); }
      return list;
    }
  });
}

function CalledDecision(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), moddle = useService("moddle"), injector = useService("injector");
  const decisions = choices(injector).decisions || [];
  const read = () => { const d = extensionValues(getBusinessObject(element), "spiffworkflow:CalledDecisionId")[0]; return d ? d.value || "" : ""; };
  return h(SelectEntry, {
    element, id, label: "调用的决策表",
    getValue: read,
    setValue: (value) => writeBody(element, "spiffworkflow:CalledDecisionId", value, modeling, moddle),
    getOptions: () => {
      const current = read(), list = [{ value: "", label: "（未选择）" }].concat(decisions);
      if (current && !decisions.some((d) => d.value === current)) { list.push({ value: current, label: "（不存在的决策表，检查会报错）" }); }
      return list;
    }
  });
}

function Script(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    element, id, debounce, label: "脚本", rows: 6, monospace: true,
    description: "只能使用安全的内置函数与本系统提供的期限函数；部署前会逐条检查",
    getValue: () => getBusinessObject(element).get("script") || "",
    setValue: (value) => modeling.updateProperties(element, { scriptFormat: "python", script: value || "" })
  });
}

function messageDefinition(element) {
  const defs = getBusinessObject(element).get("eventDefinitions") || [];
  return defs.filter((d) => is(d, "bpmn:MessageEventDefinition"))[0] || null;
}

function MessageVariable(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), moddle = useService("moddle"), debounce = useService("debounceInput");
  const definition = messageDefinition(element);
  const read = () => { const v = extensionValues(definition, "spiffworkflow:MessageVariable")[0]; return v ? v.value || "" : ""; };
  return h(TextFieldEntry, {
    element, id, debounce, label: "消息内容存入的变量",
    description: "消息按案件编号关联到等待它的案件；内容存入此变量供后续步骤使用",
    getValue: read,
    setValue: (value) => writeBody(element, "spiffworkflow:MessageVariable", value, modeling, moddle, definition)
  });
}

function LaneRole(props) {
  const { element, id } = props;
  const modeling = useService("modeling"), injector = useService("injector");
  const lanes = choices(injector).lanes || [];
  return h(SelectEntry, {
    element, id, label: "泳道角色（按分派规则找到办理人）",
    getValue: () => getBusinessObject(element).get("name") || "",
    setValue: (value) => modeling.updateProperties(element, { name: value || undefined }),
    getOptions: () => {
      const current = getBusinessObject(element).get("name") || "";
      const list = [{ value: "", label: "（未选择）" }].concat(lanes);
      if (current && !lanes.some((l) => l.value === current)) { list.push({ value: current, label: current + "（没有分派规则，检查会报错）" }); }
      return list;
    }
  });
}

function TimerNote() {
  return h("div", { class: "bio-properties-panel-entry od-note", "data-entry-id": "onedoor-timer-note" },
    h("p", { class: "bio-properties-panel-description" }, "本系统的定时一般写成表达式，例如 ",
      code("rule_due(\"return_visit.wait\")"), " 或流程数据中的期限变量；部署前会在样例日期上试算"));
}

// ---------------------------------------------------------------- multi-instance collections
// SpiffWorkflow reads loopDataInputRef / loopDataOutputRef as the names of process variables
// (e.g. `departments`), while BPMN models them as references to data elements. bpmn-js drops a
// reference it cannot resolve, so a save would lose the collection: keep each as a stand-in
// element whose id is the variable name (exported as that name, as the engine reads it).

const LOOP_REFS = ["bpmn:loopDataInputRef", "bpmn:loopDataOutputRef"];

function variableRef(moddle, name) { return moddle.create("bpmn:DataInput", { id: name }); }

export function LoopReferences(eventBus, moddle) {
  eventBus.on("import.parse.complete", function (event) {
    (event.warnings || []).forEach(function (w) {
      if (w.element && LOOP_REFS.indexOf(w.property) >= 0 && w.value) {
        w.element.set(w.property, variableRef(moddle, w.value));
      }
    });
  });
}
LoopReferences.$inject = ["eventBus", "moddle"];

function loopOf(element) {
  const loop = getBusinessObject(element).get("loopCharacteristics");
  return loop && is(loop, "bpmn:MultiInstanceLoopCharacteristics") ? loop : null;
}

function LoopText(props) {
  const { element, id, label, description, property, item } = props;
  const modeling = useService("modeling"), moddle = useService("moddle"), debounce = useService("debounceInput");
  const loop = loopOf(element);
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => { const v = loop.get(property); return v ? (item ? v.name : v.id) || "" : ""; },
    setValue: (value) => {
      value = (value || "").trim();
      let made;  // undefined clears it
      if (value && property === "inputDataItem") { made = moddle.create("bpmn:DataInput", { id: value, name: value }); }
      else if (value && property === "outputDataItem") { made = moddle.create("bpmn:DataOutput", { id: value, name: value }); }
      else if (value) { made = variableRef(moddle, value); }
      modeling.updateModdleProperties(element, loop, { [property]: made });
    }
  });
}

function loopEntries() {
  return [
    { id: "onedoor-loop-input", component: LoopText, isEdited: isTextFieldEntryEdited, property: "loopDataInputRef",
      label: "输入集合（变量名）", description: "每个元素生成一个实例，例如被点名的部门列表" },
    { id: "onedoor-loop-item", component: LoopText, isEdited: isTextFieldEntryEdited, property: "inputDataItem", item: true,
      label: "每个实例的输入变量" },
    { id: "onedoor-loop-output", component: LoopText, isEdited: isTextFieldEntryEdited, property: "loopDataOutputRef",
      label: "输出集合（变量名）", description: "各实例的结果按顺序汇总到此变量" },
    { id: "onedoor-loop-output-item", component: LoopText, isEdited: isTextFieldEntryEdited, property: "outputDataItem", item: true,
      label: "每个实例的输出变量" }
  ];
}

// ---------------------------------------------------------------- groups

function taskGroup(element, injector) {
  const c = choices(injector), lane = laneOf(element);
  const entries = [
    { id: "onedoor-form", component: PropertySelect, isEdited: isSelectEntryEdited, name: "formJsonSchemaFilename",
      label: "表单", none: "（无表单）", unknown: "（表单文件不存在，检查会报错）", options: c.forms || [], toValue: identity, fromValue: identity },
    { id: "onedoor-form-ui", component: PropertySelect, isEdited: isSelectEntryEdited, name: "formUiSchemaFilename",
      label: "表单显示提示（可选）", none: "（无）", unknown: "（文件不存在，检查会报错）", options: c.uiForms || [], toValue: identity, fromValue: identity },
    { id: "onedoor-context", component: TaskContext },
    { id: "onedoor-rule", component: PropertySelect, isEdited: isSelectEntryEdited, name: "dueAt",
      label: "办理期限规则", none: "（不设期限）", unknown: "（不在期限规则表中，检查会报错）", options: c.rules || [], toValue: ruleExpression, fromValue: fromRule,
      description: "取自期限规则表；期限按工作日历计算" },
    { id: "onedoor-dueAt", component: PropertyText, isEdited: isTextFieldEntryEdited, name: "dueAt",
      label: "办理期限表达式",
      description: h("span", null, "例如 ", code("rule_due(\"four_levels.county\")"), "，也可用 ",
        code("deadline"), "、", code("add_working_days"), "、", code("add_natural_days"), "、", code("add_hours")) },
    { id: "onedoor-lane", component: PropertySelect, isEdited: isSelectEntryEdited, name: "candidateLane",
      label: "办理角色（泳道）", none: lane ? "按所在泳道：" + lane : "按所在泳道",
      unknown: "（没有分派规则，检查会报错）", options: c.lanes || [],
      toValue: literal, fromValue: fromLiteral },
    { id: "onedoor-candidateLane", component: PropertyText, isEdited: isTextFieldEntryEdited, name: "candidateLane",
      label: "办理角色表达式（按流程数据选泳道）",
      description: h("span", null, "例如 ", code("level_lane"), "；留空则按所在泳道") },
    { id: "onedoor-department", component: PropertySelect, isEdited: isSelectEntryEdited, name: "candidateDepartment",
      label: "承办部门", none: "按泳道的分派规则", unknown: "（没有这个部门代码）", options: c.departments || [], toValue: literal, fromValue: fromLiteral },
    { id: "onedoor-candidateDepartment", component: PropertyText, isEdited: isTextFieldEntryEdited, name: "candidateDepartment",
      label: "承办部门表达式（按流程数据）",
      description: h("span", null, "例如 ", code("target_department"), "，结果须是部门代码") }
  ];
  return { id: "onedoor-task", label: "办理设置", component: Group, entries: entries };
}

function isGatewayFlow(element) {
  return is(element, "bpmn:SequenceFlow") && element.source &&
    (is(element.source, "bpmn:ExclusiveGateway") || is(element.source, "bpmn:InclusiveGateway"));
}

function conditionGroup(element) {
  const entries = [{ id: "onedoor-condition", component: ConditionText, isEdited: isTextFieldEntryEdited }];
  if (isGatewayFlow(element)) { entries.push({ id: "onedoor-default", component: DefaultFlow, isEdited: isCheckboxEntryEdited }); }
  return { id: "onedoor-flow", label: "条件", component: Group, entries: entries };
}

// Standard entries that show BPMN ids (the id field, the process id) are left out: screens never show them.
const HIDDEN = ["id", "processId"];

export default function OneDoorPropertiesProvider(propertiesPanel, injector) {
  this.getGroups = function (element) {
    return function (groups) {
      groups.forEach((g) => {
        if (g.id === "general") { g.entries = g.entries.filter((e) => HIDDEN.indexOf(e.id) < 0); }
        if (g.id === "timer") { g.entries = g.entries.concat([{ id: "onedoor-timer-note", component: TimerNote }]); }
        if (g.id === "multiInstance" && loopOf(element)) { g.entries = loopEntries().concat(g.entries); }
      });
      const ours = [];
      if (is(element, "bpmn:UserTask")) { ours.push(taskGroup(element, injector)); }
      if (is(element, "bpmn:Lane")) {
        ours.push({ id: "onedoor-lane-role", label: "泳道分派", component: Group,
          entries: [{ id: "onedoor-lane-name", component: LaneRole, isEdited: isSelectEntryEdited }] });
      }
      if (is(element, "bpmn:SequenceFlow") && !is(element.source, "bpmn:EventBasedGateway")) { ours.push(conditionGroup(element)); }
      if (is(element, "bpmn:CallActivity")) {
        ours.push({ id: "onedoor-call", label: "调用子流程", component: Group,
          entries: [{ id: "onedoor-calledElement", component: CalledElement, isEdited: isSelectEntryEdited }] });
      }
      if (is(element, "bpmn:BusinessRuleTask")) {
        ours.push({ id: "onedoor-decision", label: "规则任务", component: Group,
          entries: [{ id: "onedoor-calledDecision", component: CalledDecision, isEdited: isSelectEntryEdited }] });
      }
      if (is(element, "bpmn:ScriptTask")) {
        ours.push({ id: "onedoor-script", label: "脚本", component: Group,
          entries: [{ id: "onedoor-script-text", component: Script, isEdited: isTextAreaEntryEdited }] });
      }
      if (messageDefinition(element) && !is(element, "bpmn:EndEvent") && !is(element, "bpmn:IntermediateThrowEvent")) {
        ours.push({ id: "onedoor-message", label: "消息关联", component: Group,
          entries: [{ id: "onedoor-messageVariable", component: MessageVariable, isEdited: isTextFieldEntryEdited }] });
      }
      // Ours right after 常规, before the standard groups (documentation, timer, multi-instance…).
      const at = groups.findIndex((g) => g.id === "general") + 1;
      groups.splice(at, 0, ...ours);
      return groups;
    };
  };
  propertiesPanel.registerProvider(400, this);
}

OneDoorPropertiesProvider.$inject = ["propertiesPanel", "injector"];

export const OneDoorPropertiesModule = {
  __init__: ["oneDoorPropertiesProvider", "oneDoorLoopReferences"],
  oneDoorPropertiesProvider: ["type", OneDoorPropertiesProvider],
  oneDoorLoopReferences: ["type", LoopReferences]
};
