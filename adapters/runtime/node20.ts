// Locally we run on Node 20 with SDK versions pinned to ones that support it (Lambda runs Node 24):
// the SDK's "Node 22 will be required by later versions" notice says nothing actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
