//! Where each host of one run lives: the engine its container, its
//! sidecars and its execs go through, and the run scope (same run id) that
//! labels them there. On one engine that is the same for every host.

use std::collections::HashMap;

use netlab_engine::{Engine, Run};

use crate::swarm::Swarm;

/// One engine of a run, and the node it is (on a swarm).
struct Home {
    node: Option<String>,
    engine: Engine,
    run: Run,
}

pub(crate) struct Layout {
    homes: Vec<Home>,
    /// Host name -> index into `homes`; a host not listed lives at `homes[0]`.
    of: HashMap<String, usize>,
}

impl Layout {
    /// Every host on `run`'s engine.
    pub(crate) fn one_engine(run: &Run) -> Layout {
        Layout {
            homes: vec![Home {
                node: None,
                engine: run.engine().clone(),
                run: run.clone(),
            }],
            of: HashMap::new(),
        }
    }

    /// Each host on the node `plan` gives it (see [`Swarm::plan`]); `run`
    /// is the manager's scope, and each node gets the same run on its engine.
    pub(crate) fn on_swarm(swarm: &Swarm, run: &Run, plan: &HashMap<String, usize>) -> Layout {
        let mut homes: Vec<Home> = Vec::new();
        let mut index_of_node: HashMap<usize, usize> = HashMap::new();
        let mut of = HashMap::new();
        let mut nodes: Vec<(&String, &usize)> = plan.iter().collect();
        nodes.sort();
        for (host, &node) in nodes {
            let i = *index_of_node.entry(node).or_insert_with(|| {
                let n = &swarm.nodes[node];
                let engine = n.engine.clone().expect("planned nodes have an engine");
                homes.push(Home {
                    node: Some(n.name.clone()),
                    run: run.on(&engine),
                    engine,
                });
                homes.len() - 1
            });
            of.insert(host.clone(), i);
        }
        if homes.is_empty() {
            return Layout::one_engine(run);
        }
        Layout { homes, of }
    }

    fn home(&self, host: &str) -> &Home {
        &self.homes[self.of.get(host).copied().unwrap_or(0)]
    }

    /// The engine `host`'s container is on.
    pub(crate) fn engine(&self, host: &str) -> &Engine {
        &self.home(host).engine
    }

    /// The run scope that labels `host`'s objects on its engine.
    pub(crate) fn run(&self, host: &str) -> &Run {
        &self.home(host).run
    }

    /// Each engine of a swarm run, once, with its node's name and run
    /// scope; nothing on one engine.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = (&str, &Engine, &Run)> {
        self.homes
            .iter()
            .filter_map(|h| Some((h.node.as_deref()?, &h.engine, &h.run)))
    }

    /// The swarm node `host` is on; `None` on one engine.
    pub(crate) fn node(&self, host: &str) -> Option<&str> {
        self.home(host).node.as_deref()
    }
}
