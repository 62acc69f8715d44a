// Types that check the premierepro fake against @adobe/premierepro: for each member the fake
// implements, the parameters the typings declare, sync vs Promise, arrays vs single values, and
// primitive results exactly; object results only by shape (the fake returns its own classes).
type Primitive = string | number | boolean | bigint | null | undefined | void;
type ShapeValue<X> = X extends Primitive ? X : X extends Array<unknown> ? unknown[] : unknown;
type Shape<R> = R extends Promise<infer X> ? Promise<ShapeValue<X>> : ShapeValue<R>;

export type Faithful<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Shape<R> : ShapeValue<T[P]>;
};
