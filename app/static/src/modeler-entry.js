/* The modeler bundle: bpmn-js with the standard properties panel and OneDoor's provider, built by
   `flask vendor-assets` (esbuild, from node_modules) into app/static/vendor/onedoor/. The page
   reads it as window.OneDoorBpmn. */
import "@bpmn-io/properties-panel/assets/properties-panel.css";
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import { OneDoorPropertiesModule, descriptor, readProperty } from "./onedoor-properties.js";

window.OneDoorBpmn = {
  Modeler: BpmnModeler,
  modules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, OneDoorPropertiesModule],
  descriptor: descriptor,
  readProperty: readProperty
};
